//! `mlcloud_identity` on Azure: a user-assigned managed identity; purpose "workload"
//! adds a federated credential trusting `system:serviceaccount:<ns>:<sa>` on the
//! cluster's OIDC issuer; each grant becomes a role assignment at the narrowest scope
//! (the key, the blob container), never above the resource it names.
//!
//! What Azure cannot say back (the purpose, the cluster a workload belongs to, which
//! grant an assignment serves) is kept in mlcloud's own tags and in the assignments'
//! descriptions.

use super::api_versions::{CONTAINER_SERVICE, KEY_VAULT, MANAGED_IDENTITY};
use super::key_uri::KeyUri;
use super::resource_id::ResourceId;
use super::roles::{self, Assignment, role};
use super::rules::container_id;
use super::{AzureBackend, PROPAGATION_LIMIT, tags, vaults};
use crate::clouds::model::{
    AzureIdentitySettings, Grant, GrantAction, IdentitySpec, IdentityState, Op, PerCloud, Purpose,
    WorkloadBinding,
};
use crate::clouds::wait::{Deadline, retry_transient};
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use serde_json::{Value, json};

const SERVICE: &str = "Microsoft.ManagedIdentity";
const PURPOSE_TAG: &str = "mlcloud-purpose";
const CLUSTER_TAG: &str = "mlcloud-workload-cluster";
/// The one federated credential of a workload identity.
const FEDERATED_NAME: &str = "mlcloud-workload";
/// What Entra's token exchange expects workload tokens to be issued for.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";
const CONCURRENT_WRITES: &str =
    "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity";

fn subject(w: &WorkloadBinding) -> String {
    format!(
        "system:serviceaccount:{}:{}",
        w.namespace, w.service_account
    )
}

pub fn expand_identity(spec: &IdentitySpec) -> Value {
    let mut extra = vec![(PURPOSE_TAG, spec.purpose.as_str())];
    if let Some(w) = &spec.workload {
        extra.push((CLUSTER_TAG, w.cluster_id.as_str()));
    }
    json!({"location": spec.location, "tags": tags::expand(&spec.tags, &spec.name, &extra)})
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl AzureBackend {
    /// The OIDC issuer of the cluster a workload identity trusts.
    async fn issuer_of(&self, cluster_id: &str) -> Result<String, CloudError> {
        let cluster: Value = self
            .arm
            .get(cluster_id, CONTAINER_SERVICE, "Microsoft.ContainerService")
            .await?
            .ok_or_else(|| CloudError::NotFound {
                what: format!("AKS cluster {cluster_id}"),
                message: "the workload's cluster_id names no cluster".into(),
            })?;
        let issuer = text(&cluster, "/properties/oidcIssuerProfile/issuerURL");
        if issuer.is_empty() {
            return Err(CloudError::Invalid(format!(
                "the AKS cluster {cluster_id} has no OIDC issuer; enable it (mlcloud_cluster does)"
            )));
        }
        Ok(issuer.to_string())
    }

    /// Puts the federated credential for `w`, retrying while other credentials of the
    /// same identity are being written (Azure allows one write at a time).
    async fn put_federated(
        &self,
        id: &str,
        w: &WorkloadBinding,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let issuer = self.issuer_of(&w.cluster_id).await?;
        let body = json!({"properties": {"issuer": issuer, "subject": subject(w), "audiences": [AUDIENCE]}});
        let path = format!("{id}/federatedIdentityCredentials/{FEDERATED_NAME}");
        retry_transient(
            "writing a federated credential",
            &self.arm.backoff(),
            deadline,
            PROPAGATION_LIMIT,
            |e| e.has_code(CONCURRENT_WRITES),
            || async {
                self.arm
                    .put(&path, MANAGED_IDENTITY, SERVICE, &body, deadline)
                    .await
                    .map(|_| ())
            },
        )
        .await
    }

    async fn delete_federated(&self, id: &str, deadline: &Deadline) -> Result<(), CloudError> {
        let path = format!("{id}/federatedIdentityCredentials/{FEDERATED_NAME}");
        retry_transient(
            "deleting a federated credential",
            &self.arm.backoff(),
            deadline,
            PROPAGATION_LIMIT,
            |e| e.has_code(CONCURRENT_WRITES),
            || async {
                self.arm
                    .delete(&path, MANAGED_IDENTITY, SERVICE, deadline)
                    .await
            },
        )
        .await
    }

    /// The role assignment a grant becomes.
    async fn expand_grant(&self, g: &Grant) -> Result<Assignment, CloudError> {
        let (scope, role) = match g.action {
            GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt => (
                vaults::key_id_of(&self.arm, &g.target).await?.to_string(),
                role::KEY_VAULT_CRYPTO_USER,
            ),
            GrantAction::ModelStoreRead | GrantAction::ModelStoreWrite => {
                let container = container_id(&g.target).ok_or_else(|| {
                    CloudError::Invalid(format!(
                        "{:?} is not the ARM id of a blob container",
                        g.target
                    ))
                })?;
                let role = if g.action == GrantAction::ModelStoreRead {
                    role::STORAGE_BLOB_DATA_READER
                } else {
                    role::STORAGE_BLOB_DATA_CONTRIBUTOR
                };
                (container.to_string(), role)
            }
        };
        Ok(Assignment {
            scope,
            role: role.to_string(),
            purpose: format!("grant {}", g.action.as_str()),
        })
    }

    /// A grant back from an assignment mlcloud made.
    async fn flatten_grant(&self, a: &Assignment) -> Result<Option<Grant>, CloudError> {
        let Some(action) = a
            .purpose
            .strip_prefix("grant ")
            .and_then(GrantAction::parse)
        else {
            return Ok(None);
        };
        let target = if action.targets_key() {
            let key = ResourceId::parse_kind(&a.scope, vaults::SERVICE, &["vaults", "keys"])?;
            let vault_id = key.parent().map(|v| v.to_string()).unwrap_or_default();
            let Some(vault) = self
                .arm
                .get::<Value>(&vault_id, KEY_VAULT, vaults::SERVICE)
                .await?
            else {
                return Ok(None);
            };
            let uri = text(&vault, "/properties/vaultUri")
                .trim_end_matches('/')
                .to_string();
            KeyUri::parse(&format!("{uri}/keys/{}", key.name()))?.versionless()
        } else {
            a.scope.clone()
        };
        Ok(Some(Grant { action, target }))
    }

    async fn identity_state(&self, id: &str) -> Result<Option<IdentityState>, CloudError> {
        let Some(body) = self.arm.get::<Value>(id, MANAGED_IDENTITY, SERVICE).await? else {
            return Ok(None);
        };
        let rid = ResourceId::parse_kind(id, SERVICE, &["userAssignedIdentities"])?;
        let all = tags::all(&body);
        let purpose = all
            .get(PURPOSE_TAG)
            .and_then(|p| Purpose::parse(p))
            .unwrap_or(Purpose::Workload);
        let principal = text(&body, "/properties/principalId").to_string();
        let federated: Option<Value> = self
            .arm
            .get(
                &format!("{id}/federatedIdentityCredentials/{FEDERATED_NAME}"),
                MANAGED_IDENTITY,
                SERVICE,
            )
            .await?;
        let workload = federated.and_then(|f| {
            let subject = text(&f, "/properties/subject");
            let rest = subject.strip_prefix("system:serviceaccount:")?;
            let (namespace, service_account) = rest.split_once(':')?;
            Some(WorkloadBinding {
                cluster_id: all.get(CLUSTER_TAG).cloned().unwrap_or_default(),
                namespace: namespace.to_string(),
                service_account: service_account.to_string(),
            })
        });
        let mut grants = Vec::new();
        if !principal.is_empty() {
            for a in roles::list_for(&self.arm, &principal).await? {
                if let Some(g) = self.flatten_grant(&a).await? {
                    grants.push(g);
                }
            }
        }
        grants.sort_by(|a, b| (a.action, &a.target).cmp(&(b.action, &b.target)));
        Ok(Some(IdentityState {
            policy_drift: Default::default(),
            id: body
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_string(),
            principal,
            client_id: text(&body, "/properties/clientId").to_string(),
            name: rid.name().to_string(),
            // Import has no configuration to take it from.
            location: body
                .get("location")
                .and_then(Value::as_str)
                .map(str::to_string),
            purpose,
            workload,
            grants,
            tags: tags::flatten(&body),
            cloud: PerCloud::Azure(AzureIdentitySettings {
                resource_group_name: Some(rid.resource_group.clone()),
            }),
        }))
    }

    /// Brings the federated credential and the role assignments to the spec.
    async fn converge_identity(
        &self,
        id: &str,
        principal: &str,
        prior: Option<&IdentityState>,
        spec: &IdentitySpec,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let prior_workload = prior.and_then(|p| p.workload.as_ref());
        match (&spec.workload, prior_workload) {
            (Some(w), Some(p)) if w == p => {}
            (Some(w), _) => self.put_federated(id, w, deadline).await?,
            (None, Some(_)) => self.delete_federated(id, deadline).await?,
            (None, None) => {}
        }
        let mut wanted = Vec::new();
        for g in &spec.grants {
            wanted.push(self.expand_grant(g).await?);
        }
        let existing = roles::list_for(&self.arm, principal).await?;
        for a in &wanted {
            if !existing.iter().any(|e| same_assignment(e, a)) {
                roles::assign(&self.arm, a, principal, deadline).await?;
            }
        }
        for e in &existing {
            if e.purpose.starts_with("grant ") && !wanted.iter().any(|a| same_assignment(e, a)) {
                roles::unassign(&self.arm, e, principal, deadline).await?;
            }
        }
        Ok(())
    }
}

fn same_assignment(a: &Assignment, b: &Assignment) -> bool {
    super::resource_id::same(&a.scope, &b.scope)
        && a.role.eq_ignore_ascii_case(&b.role)
        && a.purpose == b.purpose
}

fn group_of(spec: &IdentitySpec) -> Result<String, CloudError> {
    spec.cloud
        .azure()
        .and_then(|a| a.resource_group_name.clone())
        .ok_or_else(|| {
            CloudError::Invalid("azure.resource_group_name is required for an identity".into())
        })
}

fn gone(id: &str) -> CloudError {
    CloudError::NotFound {
        what: format!("managed identity {id}"),
        message: "gone right after it was written".into(),
    }
}

#[async_trait::async_trait]
impl ObjectBackend<IdentitySpec, IdentityState> for AzureBackend {
    async fn create(&self, spec: &IdentitySpec, op: &Op) -> Outcome<IdentityState> {
        let deadline = Deadline::new(op);
        let group = group_of(spec)?;
        let id = ResourceId::new(
            self.arm.subscription(),
            &group,
            SERVICE,
            &[("userAssignedIdentities", &spec.name)],
        )
        .to_string();
        // PUT is idempotent: after a lost answer the same identity comes back.
        let body = self
            .arm
            .put(
                &id,
                MANAGED_IDENTITY,
                SERVICE,
                &expand_identity(spec),
                &deadline,
            )
            .await?;
        let principal = text(&body, "/properties/principalId").to_string();
        let made = self.identity_state(&id).await?.ok_or_else(|| gone(&id))?;
        op.record(&made);
        if let Err(error) = self
            .converge_identity(&id, &principal, None, spec, &deadline)
            .await
        {
            let created = self.identity_state(&id).await.ok().flatten().or(Some(made));
            return Err(PartialFailure { created, error });
        }
        match self.identity_state(&id).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(gone(&id).into()),
            Err(error) => Err(PartialFailure {
                created: Some(made),
                error,
            }),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<IdentityState>, CloudError> {
        self.identity_state(id).await
    }

    async fn update(
        &self,
        id: &str,
        prior: &IdentityState,
        spec: &IdentitySpec,
        op: &Op,
    ) -> Outcome<IdentityState> {
        let deadline = Deadline::new(op);
        let result = async {
            if prior.tags != spec.tags
                || prior.workload.as_ref().map(|w| &w.cluster_id)
                    != spec.workload.as_ref().map(|w| &w.cluster_id)
            {
                let body = json!({"tags": expand_identity(spec)["tags"].clone()});
                self.arm
                    .patch(id, MANAGED_IDENTITY, SERVICE, &body, &deadline)
                    .await?;
            }
            self.converge_identity(id, &prior.principal, Some(prior), spec, &deadline)
                .await
        }
        .await;
        if let Err(error) = result {
            let created = self.identity_state(id).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.identity_state(id)
            .await?
            .ok_or_else(|| gone(id).into())
    }

    async fn delete(&self, id: &str, _spec: &IdentitySpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let Some(body) = self.arm.get::<Value>(id, MANAGED_IDENTITY, SERVICE).await? else {
            return Ok(());
        };
        // Assignments outlive their principal (as "Identity not found"): remove ours.
        let principal = text(&body, "/properties/principalId");
        if !principal.is_empty() {
            for a in roles::list_for(&self.arm, principal).await? {
                roles::unassign(&self.arm, &a, principal, &deadline).await?;
            }
        }
        self.arm
            .delete(id, MANAGED_IDENTITY, SERVICE, &deadline)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::Tags;

    #[test]
    fn workload_identities_carry_their_purpose_and_cluster() {
        let spec = IdentitySpec {
            name: "infer".into(),
            location: "westeurope".into(),
            purpose: Purpose::Workload,
            workload: Some(WorkloadBinding {
                cluster_id: "/subscriptions/s/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/main".into(),
                namespace: "serving".into(),
                service_account: "model".into(),
            }),
            grants: vec![],
            tags: Tags::from([("team".into(), "ml".into())]),
            cloud: PerCloud::Azure(AzureIdentitySettings { resource_group_name: Some("ml".into()) }),
        };
        let body = expand_identity(&spec);
        assert_eq!(body["tags"][PURPOSE_TAG], "workload");
        assert_eq!(body["tags"]["team"], "ml");
        assert_eq!(body["tags"]["mlcloud-managed"], "true");
        assert!(
            body["tags"][CLUSTER_TAG]
                .as_str()
                .unwrap()
                .ends_with("/main")
        );
        assert_eq!(
            subject(spec.workload.as_ref().unwrap()),
            "system:serviceaccount:serving:model"
        );
        assert_eq!(tags::flatten(&body), spec.tags);
    }
}
