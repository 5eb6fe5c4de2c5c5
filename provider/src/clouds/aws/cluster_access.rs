//! EKS cluster tokens, as aws-iam-authenticator makes them: `k8s-aws-v1.` and the
//! unpadded base64url of a presigned STS `GetCallerIdentity` GET URL whose signature
//! covers the `x-k8s-aws-id` header (the cluster's name). The API server sends the URL
//! to STS and maps the ARN it answers to the caller's access entry, so the token proves
//! who the caller is for this cluster only, and only for a short time.

use super::AwsBackend;
use super::arn;
use crate::clouds::model::{ClusterState, IdentityState};
use crate::clouds::{CloudError, ClusterAccess, ClusterToken};
use crate::serving::spec::{ControlPlanePeer, WorkloadBinding};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine;
use std::time::{Duration, SystemTime};

/// What the API server expects before the encoded URL.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The header naming the cluster; signed, so a token for one cluster is refused by
/// another.
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";
/// The presigned URL's own `X-Amz-Expires`, as aws-iam-authenticator sets it.
const PRESIGN_EXPIRES: Duration = Duration::from_secs(60);
/// EKS accepts a token for 15 minutes from its signing time; clients treat it as
/// expired one minute earlier (aws-iam-authenticator's margin).
const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);

/// The token for `cluster_name`, presigned with `credentials` at `now` against
/// `sts_url` (e.g. `https://sts.us-east-1.amazonaws.com`) for `region`.
pub fn eks_token(
    credentials: &Credentials,
    region: &str,
    cluster_name: &str,
    sts_url: &str,
    now: SystemTime,
) -> Result<ClusterToken, CloudError> {
    let signing_error = |e: &dyn std::fmt::Display| {
        CloudError::Invalid(format!(
            "cannot presign the EKS token for {cluster_name:?}: {e}"
        ))
    };
    let base = format!(
        "{}/?Action=GetCallerIdentity&Version=2011-06-15",
        sts_url.trim_end_matches('/')
    );
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGN_EXPIRES);
    let params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| signing_error(&e))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_HEADER, cluster_name)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| signing_error(&e))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| signing_error(&e))?
        .into_parts();
    let mut url = url::Url::parse(&base).map_err(|e| signing_error(&e))?;
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in instructions.params() {
            query.append_pair(name, value);
        }
    }
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url.as_str());
    Ok(ClusterToken {
        token: format!("{TOKEN_PREFIX}{encoded}"),
        expires_at: now + TOKEN_LIFETIME,
    })
}

#[async_trait::async_trait]
impl ClusterAccess for AwsBackend {
    async fn token(&self, cluster: &ClusterState) -> Result<ClusterToken, CloudError> {
        let (arn, name) = arn::cluster_name(&cluster.id)?;
        let region = if arn.region.is_empty() {
            self.clients.default_region.clone()
        } else {
            arn.region.to_string()
        };
        let credentials = self.clients.credentials().await?;
        eks_token(
            &credentials,
            &region,
            name,
            &self.clients.sts_url(&region),
            SystemTime::now(),
        )
    }

    fn pool_label(&self) -> &'static str {
        "eks.amazonaws.com/nodegroup"
    }

    /// IRSA: the pod identity webhook projects a token for the role the service
    /// account names; the regional STS endpoint keeps the exchange in the region.
    fn workload_binding(&self, identity: &IdentityState) -> WorkloadBinding {
        WorkloadBinding {
            service_account_annotations: [
                (
                    "eks.amazonaws.com/role-arn".to_string(),
                    identity.id.clone(),
                ),
                (
                    "eks.amazonaws.com/sts-regional-endpoints".to_string(),
                    "true".to_string(),
                ),
            ]
            .into(),
            ..WorkloadBinding::default()
        }
    }

    /// The control plane's network interfaces are in the cluster's subnets, so the
    /// service proxy's requests come from those subnets' ranges.
    async fn control_plane_peers(
        &self,
        cluster: &ClusterState,
    ) -> Result<Vec<ControlPlanePeer>, CloudError> {
        let Some(settings) = cluster.cloud.aws() else {
            return Ok(Vec::new());
        };
        let subnets: Vec<String> = settings.subnet_ids.iter().cloned().collect();
        if subnets.is_empty() {
            return Ok(Vec::new());
        }
        let (arn, _) = arn::cluster_name(&cluster.id)?;
        let region = if arn.region.is_empty() {
            self.clients.default_region.clone()
        } else {
            arn.region.to_string()
        };
        let regional = self.clients.regional(&region);
        let cidrs = super::placement::subnet_cidrs(&regional.ec2, &subnets).await?;
        Ok(cidrs.into_iter().map(ControlPlanePeer::Cidr).collect())
    }

    /// An IAM role per cluster (see `cluster_autoscaler.rs`), bound through IRSA.
    async fn ensure_autoscaler_identity(
        &self,
        cluster: &ClusterState,
    ) -> Result<WorkloadBinding, CloudError> {
        let role_arn = self.ensure_autoscaler_role(cluster).await?;
        Ok(super::cluster_autoscaler::binding(&role_arn))
    }

    async fn remove_autoscaler_identity(&self, cluster: &ClusterState) -> Result<(), CloudError> {
        self.remove_autoscaler_role(cluster).await
    }

    /// The node groups carrying the discovery tags.
    async fn autoscaled_pools(&self, cluster: &ClusterState) -> Result<Vec<String>, CloudError> {
        self.discovered_groups(cluster).await
    }

    fn autoscaler_args(&self, cluster: &ClusterState) -> Vec<String> {
        let name = arn::cluster_name(&cluster.id).map_or("", |(_, name)| name);
        super::cluster_autoscaler::args(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn decode(token: &str) -> url::Url {
        let encoded = token.strip_prefix(TOKEN_PREFIX).expect("the EKS prefix");
        assert!(!encoded.contains('='), "unpadded: {encoded}");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .expect("base64url");
        url::Url::parse(&String::from_utf8(bytes).unwrap()).unwrap()
    }

    fn query(url: &url::Url) -> BTreeMap<String, String> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_token_is_a_presigned_get_caller_identity_with_the_cluster_header_signed() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        // 2026-01-02T03:04:05Z
        let now = at(1_767_323_045);
        let token = eks_token(
            &creds,
            "eu-west-1",
            "ml-main",
            "https://sts.eu-west-1.amazonaws.com",
            now,
        )
        .unwrap();
        let url = decode(&token.token);
        assert_eq!(url.host_str(), Some("sts.eu-west-1.amazonaws.com"));
        assert_eq!(url.path(), "/");
        let q = query(&url);
        assert_eq!(q["Action"], "GetCallerIdentity");
        assert_eq!(q["Version"], "2011-06-15");
        assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
        assert_eq!(
            q["X-Amz-Credential"],
            "AKIDEXAMPLE/20260102/eu-west-1/sts/aws4_request"
        );
        assert_eq!(q["X-Amz-Date"], "20260102T030405Z");
        assert_eq!(q["X-Amz-Expires"], "60");
        assert_eq!(q["X-Amz-SignedHeaders"], "host;x-k8s-aws-id");
        assert_eq!(q["X-Amz-Signature"].len(), 64);
        assert!(!q.contains_key("X-Amz-Security-Token"));
        assert_eq!(token.expires_at, now + Duration::from_secs(14 * 60));
    }

    #[test]
    fn the_signature_depends_on_the_cluster_and_a_session_token_travels_in_the_query() {
        let creds = Credentials::new(
            "ASIAEXAMPLE",
            "secret",
            Some("session/token+=".into()),
            None,
            "test",
        );
        let now = at(1_767_323_045);
        let sign_for = |cluster: &str| {
            let t = eks_token(&creds, "us-east-1", cluster, "http://127.0.0.1:4566/", now).unwrap();
            query(&decode(&t.token))
        };
        let a = sign_for("a");
        let b = sign_for("b");
        assert_ne!(a["X-Amz-Signature"], b["X-Amz-Signature"]);
        assert_eq!(a["X-Amz-Security-Token"], "session/token+=");
        // The same inputs sign the same: nothing but time and the cluster varies.
        assert_eq!(a, sign_for("a"));
    }

    #[test]
    fn an_override_keeps_its_scheme_host_and_port() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let token = eks_token(&creds, "us-east-1", "ml", "http://127.0.0.1:4566", at(0)).unwrap();
        let url = decode(&token.token);
        assert_eq!((url.scheme(), url.port()), ("http", Some(4566)));
        assert_eq!(url.host_str(), Some("127.0.0.1"));
    }
}
