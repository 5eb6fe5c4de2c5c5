//! Ephemeral resource `mlcloud_cluster_credentials` (Terraform >= 1.10): what a
//! `kubernetes` or `helm` provider block needs to reach a cluster, with a token that
//! lives minutes and is never written to a plan or state file. The token comes from the
//! cluster's cloud through the provider's own credentials: no cloud CLI, no exec plugin.

use super::common::{cloud_attribute, clouds, invalid_at, required_cloud, str_attr};
use crate::clouds::{ObjectKind, RuleBook};
use crate::kube::{self, ServerTrust};
use std::time::{SystemTime, UNIX_EPOCH};
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{AttributePath, Context, Diagnostic, Diagnostics, EphemeralResource, Opened, Value};

pub struct ClusterCredentials {
    rules: RuleBook,
}

impl ClusterCredentials {
    pub fn new(rules: RuleBook) -> Self {
        ClusterCredentials { rules }
    }
}

/// `2026-01-02T03:04:05Z` (RFC 3339, UTC, whole seconds).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The PEM the client must trust for `host`: the cluster's CA, or behind an override
/// the cloud block's `ca_certificate_file` (null: the system's roots).
fn ca_to_trust(connection: &kube::ClusterConnection) -> Result<Value, String> {
    use base64::Engine;
    match &connection.trust {
        ServerTrust::ClusterCa => {
            let pem = base64::engine::general_purpose::STANDARD
                .decode(connection.ca_pem.trim())
                .map_err(|e| format!("the cluster's CA certificate is not base64: {e}"))?;
            Ok(Value::from(String::from_utf8_lossy(&pem).into_owned()))
        }
        ServerTrust::SystemRoots {
            extra_ca_file: None,
        } => Ok(Value::Null),
        ServerTrust::SystemRoots {
            extra_ca_file: Some(path),
        } => std::fs::read_to_string(path)
            .map(Value::from)
            .map_err(|e| format!("cannot read ca_certificate_file {path:?}: {e}")),
    }
}

#[tfplug::async_trait]
impl EphemeralResource for ClusterCredentials {
    fn type_name(&self) -> String {
        "mlcloud_cluster_credentials".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("Short-lived credentials for a cluster's API server, for the `kubernetes` and `helm` providers (Terraform >= 1.10). Never stored in the plan or state. The token is the provider's own identity on the cluster's cloud: EKS a presigned STS `GetCallerIdentity` token (valid 14 minutes), AKS an Entra token for the AKS server application, GKE the caller's OAuth access token; no cloud CLI or exec plugin is needed. With `endpoints { kubernetes }` set in the cloud's provider block, `host` is that URL and `cluster_ca_certificate` the block's `ca_certificate_file` (null: the system's roots).")
                .attr(cloud_attribute())
                .attr(Attribute::string("cluster_id").required().describe("The `id` of the `mlcloud_cluster` (or of the `mlcloud_cluster` data source)."))
                .attr(Attribute::string("host").computed().describe("The API server URL."))
                .attr(Attribute::string("cluster_ca_certificate").computed().describe("PEM of the CA the API server's certificate chains to (ready for the `kubernetes` provider's `cluster_ca_certificate`)."))
                .attr(Attribute::string("token").computed().sensitive().describe("A bearer token for the API server."))
                .attr(Attribute::string("expires_at").computed().describe("When the token stops working (RFC 3339, UTC), a margin already taken off."))
                .attr(Attribute::string("kubeconfig").computed().sensitive().describe("A kubeconfig (YAML) for the cluster with the token inline (no exec plugin)."))
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let (Some(cloud), Some(id)) = (
            super::common::cloud_of(config),
            str_attr(config, "cluster_id"),
        ) else {
            return diags;
        };
        if let Some(rules) = self.rules.for_cloud(cloud)
            && !rules.is_object_id(ObjectKind::Cluster, id)
        {
            diags.push(invalid_at(
                AttributePath::attr("cluster_id"),
                format!(
                    "{id:?} is not the id of a {cloud} cluster; expected {} (the `id` of an mlcloud_cluster).",
                    rules.id_form(ObjectKind::Cluster)
                ),
            ));
        }
        diags
    }

    async fn open(&self, ctx: &Context, config: Value) -> Result<Opened, Diagnostics> {
        let clouds = clouds(ctx)?;
        let cloud = required_cloud(&config)?;
        clouds.check_cloud(cloud)?;
        let cluster_id = str_attr(&config, "cluster_id").ok_or_else(|| {
            invalid_at(
                AttributePath::attr("cluster_id"),
                "cluster_id is not known yet.",
            )
        })?;
        let (cluster, connection) = clouds.cluster_connection(cloud, cluster_id).await?;
        let failed = |detail: String| {
            Diagnostic::error("Cannot make the cluster's credentials", detail)
                .at(AttributePath::attr("cluster_id"))
        };
        let ca = ca_to_trust(&connection).map_err(failed)?;
        let kubeconfig =
            kube::kubeconfig(&cluster.name, &connection).map_err(|e| failed(e.to_string()))?;
        Ok(Opened {
            result: Value::object([
                ("cloud", Value::from(cloud.as_str())),
                ("cluster_id", Value::from(cluster_id)),
                ("host", Value::from(connection.server_url.as_str())),
                ("cluster_ca_certificate", ca),
                ("token", Value::from(connection.token.as_str())),
                ("expires_at", Value::from(rfc3339(connection.expires_at))),
                ("kubeconfig", Value::from(kubeconfig)),
            ]),
            private: Vec::new(),
            renew_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn expiry_is_rfc3339_utc() {
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(rfc3339(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(1_767_323_045)), "2026-01-02T03:04:05Z");
        // A leap day, and the last second of a year.
        assert_eq!(rfc3339(at(1_709_210_096)), "2024-02-29T12:34:56Z");
        assert_eq!(rfc3339(at(1_767_225_599)), "2025-12-31T23:59:59Z");
    }
}
