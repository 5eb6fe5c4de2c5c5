//! The IAM OIDC provider for an EKS cluster's issuer, which lets workload identities
//! (IRSA) trust the cluster's service account tokens.
//!
//! Each cluster that relies on a provider marks it with a tag
//! `mlcloud-cluster-<name>` (`mlcloud:cluster:<name>` before the marker scheme that is
//! legal on every cloud; both are read). A provider is deleted when the last such
//! cluster is deleted. An issuer normally belongs to one cluster, so there is one tag;
//! should two clusters ever report the same issuer, the tags keep one cluster's delete
//! from breaking the other. A provider someone else created (no mlcloud tag) is used
//! but never changed or deleted.

use super::arn;
use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::policy::STS_AUDIENCE;
use super::tags::OIDC_CLUSTER_PREFIX;
use crate::clouds::CloudError;
use crate::clouds::markers;
use crate::clouds::model::Tags;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::Tag;

/// The earlier scheme's owner tag prefix.
const LEGACY_OWNER_PREFIX: &str = "mlcloud:cluster:";

fn owner_tag(cluster_name: &str) -> String {
    format!(
        "{OIDC_CLUSTER_PREFIX}{}",
        markers::label_value(cluster_name)
    )
}

fn is_owner_tag(key: &str) -> bool {
    key.starts_with(OIDC_CLUSTER_PREFIX) || key.starts_with(LEGACY_OWNER_PREFIX)
}

/// Whether `key` marks the provider as used by `cluster_name`, in either scheme.
fn is_owner_tag_of(key: &str, cluster_name: &str) -> bool {
    key == owner_tag(cluster_name) || key == format!("{LEGACY_OWNER_PREFIX}{cluster_name}")
}

fn what(provider_arn: &str) -> String {
    format!("IAM OIDC provider {provider_arn:?}")
}

fn iam_tag(key: &str, value: &str) -> Result<Tag, CloudError> {
    Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|e| CloudError::Invalid(format!("tag {key:?}: {e}")))
}

/// The provider's client ids and tags, `None` when it does not exist.
async fn find_provider(
    iam: &Client,
    provider_arn: &str,
) -> Result<Option<(Vec<String>, Vec<(String, String)>)>, CloudError> {
    let out = found(
        iam.get_open_id_connect_provider()
            .open_id_connect_provider_arn(provider_arn)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "GetOpenIDConnectProvider",
                &what(provider_arn),
            ),
    )?;
    Ok(out.map(|o| {
        (
            o.client_id_list().to_vec(),
            o.tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
        )
    }))
}

/// Makes sure a provider for `issuer` exists, trusts the STS audience and is marked as
/// used by `cluster_name`. Returns the provider ARN.
pub async fn ensure_provider(
    iam: &Client,
    issuer: &str,
    cluster_name: &str,
    cluster_arn: &str,
    cluster_tags: &Tags,
) -> Result<String, CloudError> {
    let (cluster, _) = arn::cluster_name(cluster_arn)?;
    let provider_arn = arn::oidc_provider_arn(cluster.partition, cluster.account, issuer);
    let mut tags = cluster_tags
        .iter()
        .map(|(k, v)| iam_tag(k, v))
        .collect::<Result<Vec<_>, _>>()?;
    tags.push(iam_tag(&owner_tag(cluster_name), cluster_arn)?);
    let created = iam
        .create_open_id_connect_provider()
        .url(issuer)
        .client_id_list(STS_AUDIENCE)
        .set_tags(Some(tags))
        .send()
        .await
        .or_cloud(
            Service::Iam,
            "CreateOpenIDConnectProvider",
            &what(&provider_arn),
        );
    match created {
        Ok(_) => return Ok(provider_arn),
        Err(e) if e.has_code("EntityAlreadyExists") => {}
        Err(e) => return Err(e),
    }

    let Some((client_ids, tags)) = find_provider(iam, &provider_arn).await? else {
        return Err(CloudError::Transport(format!(
            "IAM said {provider_arn} exists, then that it does not; try again"
        )));
    };
    let managed_by_mlcloud = tags.iter().any(|(k, _)| is_owner_tag(k));
    if !client_ids.iter().any(|c| c == STS_AUDIENCE) {
        if !managed_by_mlcloud {
            // Someone else's provider: used as it is, never changed.
            return Err(CloudError::Invalid(format!(
                "the IAM OIDC provider {provider_arn} for this cluster's issuer was not created by mlcloud and does not list the audience {STS_AUDIENCE:?}, which workload identities need; add that client id to it, or delete it so that mlcloud creates its own"
            )));
        }
        iam.add_client_id_to_open_id_connect_provider()
            .open_id_connect_provider_arn(&provider_arn)
            .client_id(STS_AUDIENCE)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "AddClientIDToOpenIDConnectProvider",
                &what(&provider_arn),
            )?;
    }
    let ours = owner_tag(cluster_name);
    if managed_by_mlcloud && !tags.iter().any(|(k, _)| is_owner_tag_of(k, cluster_name)) {
        iam.tag_open_id_connect_provider()
            .open_id_connect_provider_arn(&provider_arn)
            .tags(iam_tag(&ours, cluster_arn)?)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "TagOpenIDConnectProvider",
                &what(&provider_arn),
            )?;
    }
    Ok(provider_arn)
}

/// Drops `cluster_name`'s mark from the provider, deleting the provider when no other
/// cluster of ours uses it.
pub async fn release_provider(
    iam: &Client,
    issuer: &str,
    cluster_arn: &str,
) -> Result<(), CloudError> {
    let (cluster, cluster_name) = arn::cluster_name(cluster_arn)?;
    let provider_arn = arn::oidc_provider_arn(cluster.partition, cluster.account, issuer);
    let Some((_, tags)) = find_provider(iam, &provider_arn).await? else {
        return Ok(());
    };
    let ours: Vec<String> = tags
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| is_owner_tag_of(k, cluster_name))
        .collect();
    if ours.is_empty() {
        return Ok(());
    }
    let others = tags
        .iter()
        .filter(|(k, _)| is_owner_tag(k) && !is_owner_tag_of(k, cluster_name))
        .count();
    if others == 0 {
        return gone_is_ok(
            iam.delete_open_id_connect_provider()
                .open_id_connect_provider_arn(&provider_arn)
                .send()
                .await
                .map(|_| ())
                .or_cloud(
                    Service::Iam,
                    "DeleteOpenIDConnectProvider",
                    &what(&provider_arn),
                ),
        );
    }
    iam.untag_open_id_connect_provider()
        .open_id_connect_provider_arn(&provider_arn)
        .set_tag_keys(Some(ours))
        .send()
        .await
        .or_cloud(
            Service::Iam,
            "UntagOpenIDConnectProvider",
            &what(&provider_arn),
        )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::aws::stub_server::{Reply, StubServer};

    const ISSUER: &str = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC";
    const CLUSTER: &str = "arn:aws:eks:us-east-1:123456789012:cluster/ml-main";

    async fn iam(stub: &StubServer) -> Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .endpoint_url(stub.url())
            .build();
        Client::from_conf(config)
    }

    async fn existing(client_ids: &[&str], tags: &[(&str, &str)]) -> StubServer {
        let ids: String = client_ids
            .iter()
            .map(|c| format!("<member>{c}</member>"))
            .collect();
        let tags: String = tags
            .iter()
            .map(|(k, v)| format!("<member><Key>{k}</Key><Value>{v}</Value></member>"))
            .collect();
        StubServer::routed(vec![
            (
                "CreateOpenIDConnectProvider",
                vec![Reply::query_error(409, "EntityAlreadyExists", "exists")],
            ),
            (
                "GetOpenIDConnectProvider",
                vec![Reply::query(
                    "GetOpenIDConnectProvider",
                    &format!(
                        "<ClientIDList>{ids}</ClientIDList><Tags>{tags}</Tags><Url>{ISSUER}</Url>"
                    ),
                )],
            ),
            (
                "AddClientIDToOpenIDConnectProvider",
                vec![Reply::query("AddClientIDToOpenIDConnectProvider", "")],
            ),
            (
                "TagOpenIDConnectProvider",
                vec![Reply::query("TagOpenIDConnectProvider", "")],
            ),
        ])
        .await
    }

    #[tokio::test]
    async fn a_provider_someone_else_made_is_never_changed() {
        let stub = existing(&["other-audience"], &[]).await;
        let error = ensure_provider(&iam(&stub).await, ISSUER, "ml-main", CLUSTER, &Tags::new())
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("was not created by mlcloud"),
            "{error}"
        );
        let operations = stub.operations();
        assert!(
            !operations
                .iter()
                .any(|o| o == "AddClientIDToOpenIDConnectProvider"
                    || o == "TagOpenIDConnectProvider"),
            "{operations:?}"
        );
    }

    #[tokio::test]
    async fn our_own_provider_gets_the_audience_it_lacks() {
        let stub = existing(&["other-audience"], &[("mlcloud-cluster-ml-main", CLUSTER)]).await;
        ensure_provider(&iam(&stub).await, ISSUER, "ml-main", CLUSTER, &Tags::new())
            .await
            .unwrap();
        assert!(
            stub.operations()
                .iter()
                .any(|o| o == "AddClientIDToOpenIDConnectProvider")
        );
    }
}
