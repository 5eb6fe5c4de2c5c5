//! `mlcloud_cluster` on Azure: an AKS cluster, private by default, with etcd encrypted
//! by the key (`encryption_key_id`), OIDC issuer and workload identity on, local
//! accounts off and Azure RBAC for Kubernetes, a network policy, the control plane's
//! user-assigned identity from `identity_id`, a system pool tainted
//! `CriticalAddonsOnly`, and automatic patch upgrades.
//!
//! The cluster can use its key: setting `encryption_key_id` implies a Key Vault Crypto
//! User assignment for the control plane's identity on that key (made before the
//! cluster, removed after it) and, for a vault without public access (the dedicated
//! vault), `keyVaultNetworkAccess = Private` with `keyVaultResourceId`.
//!
//! `admin_principals` are Azure RBAC cluster-admin assignments at the cluster's
//! scope (`cluster_admins.rs`), written after the cluster and removed with it.
//!
//! `kubernetes_version` is the cluster's `kubernetesVersion` as asked (`1.33`; AKS
//! picks the patch and reports it as `currentKubernetesVersion`). A new version is
//! the whole cluster written again with it, and with the system pool's
//! `orchestratorVersion` too: AKS upgrades the control plane, then the system pool,
//! in that one operation (user pools follow through their own resources).
//!
//! Control-plane logs are Azure Monitor diagnostic settings with a destination this
//! resource does not have yet: `logging` reads back empty on Azure.

use super::api_versions::{CONTAINER_SERVICE, KEY_VAULT, MANAGED_IDENTITY};
use super::cluster_admins;
use super::key_uri::KeyUri;
use super::resource_id::{ResourceId, same};
use super::roles::{self, Assignment, role};
use super::{AzureBackend, tags, vaults};
use crate::clouds::model::{
    AzureClusterSettings, ClusterSpec, ClusterState, EndpointAccess, ListScope, Op, PerCloud,
    SystemPool,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub const SERVICE: &str = "Microsoft.ContainerService";
pub const SYSTEM_POOL: &str = "system";
/// Keeps application pods off the system pool.
pub const SYSTEM_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";
/// Kubernetes patch releases as they come; minor upgrades stay the user's choice.
const UPGRADE_CHANNEL: &str = "patch";

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn kms_purpose(cluster_id: &str) -> String {
    format!("cluster kms {}", cluster_id.to_ascii_lowercase())
}

/// What the cluster's key settings resolve to.
struct Kms {
    versioned_key: String,
    vault_id: String,
    private: bool,
    key_scope: String,
}

fn expand_cluster(spec: &ClusterSpec, kms: Option<&Kms>) -> Value {
    let settings = spec.cloud.azure().cloned().unwrap_or_default();
    let private = spec.endpoint_access == EndpointAccess::Private;
    let mut pool = json!({
        "name": SYSTEM_POOL,
        "mode": "System",
        "count": spec.system_pool.node_count,
        "vmSize": spec.system_pool.machine.machine_type,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "nodeTaints": [SYSTEM_TAINT],
    });
    if let Some(subnet) = &settings.subnet_id {
        pool["vnetSubnetID"] = json!(subnet);
    }
    // The system pool moves with the control plane.
    if let Some(v) = &spec.kubernetes_version {
        pool["orchestratorVersion"] = json!(v);
    }
    let mut security = json!({"workloadIdentity": {"enabled": true}});
    if let Some(k) = kms {
        security["azureKeyVaultKms"] = json!({
            "enabled": true,
            "keyId": k.versioned_key,
            "keyVaultNetworkAccess": if k.private { "Private" } else { "Public" },
        });
        if k.private {
            security["azureKeyVaultKms"]["keyVaultResourceId"] = json!(k.vault_id);
        }
    }
    let mut api = json!({"enablePrivateCluster": private});
    if !private && !spec.authorized_cidrs.is_empty() {
        api["authorizedIPRanges"] = json!(spec.authorized_cidrs);
    }
    let mut properties = json!({
        "dnsPrefix": spec.name,
        "enableRBAC": true,
        "disableLocalAccounts": true,
        "aadProfile": {"managed": true, "enableAzureRBAC": true},
        "oidcIssuerProfile": {"enabled": true},
        "securityProfile": security,
        "apiServerAccessProfile": api,
        "networkProfile": {
            "networkPlugin": "azure",
            "networkPluginMode": "overlay",
            "networkPolicy": "cilium",
            "networkDataplane": "cilium"
        },
        "autoUpgradeProfile": {"upgradeChannel": UPGRADE_CHANNEL},
        "agentPoolProfiles": [pool],
    });
    if let Some(v) = &spec.kubernetes_version {
        properties["kubernetesVersion"] = json!(v);
    }
    let identities: serde_json::Map<String, Value> = spec
        .identity_id
        .iter()
        .map(|id| (id.clone(), json!({})))
        .collect();
    json!({
        "location": spec.location,
        "tags": tags::expand(&spec.tags, &spec.name, &[]),
        "identity": {"type": "UserAssigned", "userAssignedIdentities": identities},
        "properties": properties,
    })
}

/// The `certificate-authority-data` of the first cluster in a kubeconfig.
fn ca_of_kubeconfig(kubeconfig: &str) -> String {
    kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data:"))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_default()
}

pub fn flatten_cluster(body: &Value, ca_certificate: String) -> Result<ClusterState, CloudError> {
    let id = text(body, "/id");
    let rid = ResourceId::parse(id)?;
    let p = &body["properties"];
    let system = p["agentPoolProfiles"]
        .as_array()
        .and_then(|pools| pools.iter().find(|x| x["mode"] == "System"))
        .cloned()
        .unwrap_or(Value::Null);
    let private = p["apiServerAccessProfile"]["enablePrivateCluster"] == true;
    let fqdn = if private {
        text(p, "/privateFQDN")
    } else {
        text(p, "/fqdn")
    };
    let key_id = text(p, "/securityProfile/azureKeyVaultKms/keyId");
    Ok(ClusterState {
        // Role assignments, not part of the cluster's body: read beside it.
        admin_principals: Default::default(),
        id: id.to_string(),
        name: rid.name().to_string(),
        location: text(body, "/location").to_string(),
        kubernetes_version: p["kubernetesVersion"]
            .as_str()
            .or(p["currentKubernetesVersion"].as_str())
            .unwrap_or_default()
            .to_string(),
        endpoint_access: if private {
            EndpointAccess::Private
        } else {
            EndpointAccess::Public
        },
        authorized_cidrs: p["apiServerAccessProfile"]["authorizedIPRanges"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        encryption_key_id: KeyUri::parse(key_id).ok().map(|k| k.versionless()),
        identity_id: body["identity"]["userAssignedIdentities"]
            .as_object()
            .and_then(|m| m.keys().next().cloned()),
        system_pool: SystemPool {
            machine_type: text(&system, "/vmSize").to_string(),
            node_count: system["count"].as_u64().unwrap_or_default() as u32,
            node_identity_id: None,
        },
        logging: BTreeSet::new(),
        tags: tags::flatten(body),
        cloud: PerCloud::Azure(AzureClusterSettings {
            resource_group_name: Some(rid.resource_group.clone()),
            subnet_id: system["vnetSubnetID"].as_str().map(str::to_string),
        }),
        endpoint: if fqdn.is_empty() {
            String::new()
        } else {
            // https's default port: the server AKS's kubeconfig names with `:443`, and a
            // host that carries its own port (the emulator's) stays a valid URL.
            format!("https://{fqdn}")
        },
        ca_certificate,
        oidc_issuer_url: text(p, "/oidcIssuerProfile/issuerURL").to_string(),
        status: text(p, "/provisioningState").to_string(),
    })
}

impl AzureBackend {
    /// The principal of a user-assigned identity.
    async fn principal_of(&self, identity_id: &str) -> Result<Option<String>, CloudError> {
        let found: Option<Value> = self
            .arm
            .get(identity_id, MANAGED_IDENTITY, "Microsoft.ManagedIdentity")
            .await?;
        Ok(found
            .map(|i| text(&i, "/properties/principalId").to_string())
            .filter(|p| !p.is_empty()))
    }

    /// The key's current version, its vault, and whether the vault is private.
    async fn resolve_kms(&self, key_ref: &str) -> Result<Kms, CloudError> {
        let key_id = vaults::key_id_of(&self.arm, key_ref).await?;
        let vault_id = key_id.parent().map(|v| v.to_string()).unwrap_or_default();
        let key: Value = self
            .arm
            .get(&key_id.to_string(), KEY_VAULT, vaults::SERVICE)
            .await?
            .ok_or_else(|| CloudError::NotFound {
                what: format!("Key Vault key {key_ref}"),
                message: "encryption_key_id names no key".into(),
            })?;
        let vault: Value = self
            .arm
            .get(&vault_id, KEY_VAULT, vaults::SERVICE)
            .await?
            .unwrap_or(Value::Null);
        Ok(Kms {
            versioned_key: text(&key, "/properties/keyUriWithVersion").to_string(),
            private: text(&vault, "/properties/publicNetworkAccess")
                .eq_ignore_ascii_case("Disabled"),
            vault_id,
            key_scope: key_id.to_string(),
        })
    }

    async fn ca_of(&self, id: &str, deadline: &Deadline) -> String {
        let Ok(creds) = self
            .arm
            .post(
                &format!("{id}/listClusterUserCredential"),
                CONTAINER_SERVICE,
                SERVICE,
                None,
                deadline,
            )
            .await
        else {
            return String::new();
        };
        let encoded = text(&creds, "/kubeconfigs/0/value");
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .map(|k| ca_of_kubeconfig(&String::from_utf8_lossy(&k)))
            .unwrap_or_default()
    }

    async fn cluster_state(
        &self,
        id: &str,
        deadline: &Deadline,
    ) -> Result<Option<ClusterState>, CloudError> {
        let Some(body) = self
            .arm
            .get::<Value>(id, CONTAINER_SERVICE, SERVICE)
            .await?
        else {
            return Ok(None);
        };
        let ca = self.ca_of(id, deadline).await;
        let mut state = flatten_cluster(&body, ca)?;
        state.admin_principals = cluster_admins::find_admins(&self.arm, id)
            .await?
            .into_keys()
            .collect();
        Ok(Some(state))
    }

    /// Writes the cluster (create or update: AKS takes the whole cluster each time),
    /// first letting its identity use its key.
    async fn put_cluster(
        &self,
        id: &str,
        spec: &ClusterSpec,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let kms = match &spec.encryption_key_id {
            Some(key_ref) => Some(self.resolve_kms(key_ref).await?),
            None => None,
        };
        if let (Some(k), Some(identity)) = (&kms, &spec.identity_id) {
            let principal =
                self.principal_of(identity)
                    .await?
                    .ok_or_else(|| CloudError::NotFound {
                        what: format!("managed identity {identity}"),
                        message: "identity_id names no identity".into(),
                    })?;
            let grant = Assignment {
                scope: k.key_scope.clone(),
                role: role::KEY_VAULT_CRYPTO_USER.into(),
                purpose: kms_purpose(id),
            };
            roles::assign(&self.arm, &grant, &principal, deadline).await?;
        }
        self.arm
            .put(
                id,
                CONTAINER_SERVICE,
                SERVICE,
                &expand_cluster(spec, kms.as_ref()),
                deadline,
            )
            .await
            .map(|_| ())
    }

    /// Removes the key assignment the cluster implied.
    async fn release_key(
        &self,
        id: &str,
        identity_id: Option<&str>,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let Some(identity) = identity_id else {
            return Ok(());
        };
        let Some(principal) = self.principal_of(identity).await? else {
            return Ok(());
        };
        for a in roles::list_for(&self.arm, &principal).await? {
            if a.purpose == kms_purpose(id) {
                roles::unassign(&self.arm, &a, &principal, deadline).await?;
            }
        }
        Ok(())
    }
}

fn group_of(spec: &ClusterSpec) -> Result<String, CloudError> {
    spec.cloud
        .azure()
        .and_then(|a| a.resource_group_name.clone())
        .ok_or_else(|| {
            CloudError::Invalid("azure.resource_group_name is required for a cluster".into())
        })
}

#[async_trait::async_trait]
impl ObjectBackend<ClusterSpec, ClusterState> for AzureBackend {
    async fn create(&self, spec: &ClusterSpec, op: &Op) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let id = ResourceId::new(
            self.arm.subscription(),
            &group_of(spec)?,
            SERVICE,
            &[("managedClusters", &spec.name)],
        )
        .to_string();
        let made = async {
            self.put_cluster(&id, spec, &deadline).await?;
            cluster_admins::converge_admins(&self.arm, &id, &spec.admin_principals, &deadline).await
        };
        if let Err(error) = made.await {
            let created = self.cluster_state(&id, &deadline).await.ok().flatten();
            if let Some(made) = &created {
                op.record(made);
            }
            return Err(PartialFailure { created, error });
        }
        self.cluster_state(&id, &deadline).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: id.clone(),
                message: "gone right after it was created".into(),
            }
            .into()
        })
    }

    async fn read(&self, id: &str) -> Result<Option<ClusterState>, CloudError> {
        let op = Op::new(std::time::Duration::from_secs(60), Default::default());
        self.cluster_state(id, &Deadline::new(&op)).await
    }

    async fn update(
        &self,
        id: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let result = async {
            self.put_cluster(id, spec, &deadline).await?;
            // A key given up, or another identity: the old assignment goes.
            let key_changed = prior.encryption_key_id != spec.encryption_key_id;
            let identity_changed = match (&prior.identity_id, &spec.identity_id) {
                (Some(a), Some(b)) => !same(a, b),
                (a, b) => a.is_some() != b.is_some(),
            };
            if prior.encryption_key_id.is_some() && (key_changed || identity_changed) {
                self.release_key(id, prior.identity_id.as_deref(), &deadline)
                    .await?;
                if spec.encryption_key_id.is_some() {
                    self.put_cluster(id, spec, &deadline).await?;
                }
            }
            cluster_admins::converge_admins(&self.arm, id, &spec.admin_principals, &deadline).await
        }
        .await;
        if let Err(error) = result {
            let created = self.cluster_state(id, &deadline).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.cluster_state(id, &deadline).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: id.to_string(),
                message: "gone".into(),
            }
            .into()
        })
    }

    async fn delete(&self, id: &str, spec: &ClusterSpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        // Found first: once the cluster is gone its scope cannot be listed.
        let admins = match cluster_admins::find_admins(&self.arm, id).await {
            Err(e) if e.is_not_found() => Default::default(),
            other => other?,
        };
        self.arm
            .delete(id, CONTAINER_SERVICE, SERVICE, &deadline)
            .await?;
        // Assignments outlive the resource they are scoped to; none is left behind.
        for assignment_id in admins.values() {
            cluster_admins::revoke_admin(&self.arm, assignment_id, &deadline).await?;
        }
        self.release_key(id, spec.identity_id.as_deref(), &deadline)
            .await
    }

    /// The AKS clusters of the subscription (in one location when the scope names one).
    async fn list(&self, scope: &ListScope) -> Result<Vec<ClusterState>, CloudError> {
        let path = match scope.parent_id.as_deref() {
            Some(group) if group.to_ascii_lowercase().contains("/resourcegroups/") => {
                format!(
                    "{}/providers/Microsoft.ContainerService/managedClusters",
                    group.trim_end_matches('/')
                )
            }
            _ => format!(
                "/subscriptions/{}/providers/Microsoft.ContainerService/managedClusters",
                self.arm.subscription()
            ),
        };
        let mut found = Vec::new();
        for body in self.arm.list(&path, CONTAINER_SERVICE, SERVICE).await? {
            let location = text(&body, "/location");
            if scope
                .location
                .as_deref()
                .is_some_and(|l| !l.eq_ignore_ascii_case(location))
            {
                continue;
            }
            found.push(flatten_cluster(&body, String::new())?);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::{Machine, SystemPoolSpec, Tags};

    fn spec() -> ClusterSpec {
        ClusterSpec {
            admin_principals: Default::default(),
            name: "ml-main".into(),
            location: "westeurope".into(),
            kubernetes_version: Some("1.33".into()),
            endpoint_access: EndpointAccess::Private,
            authorized_cidrs: BTreeSet::new(),
            encryption_key_id: Some("https://kv.vault.azure.net/keys/etcd".into()),
            identity_id: Some("/subscriptions/s/resourceGroups/ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-cluster".into()),
            system_pool: SystemPoolSpec {
                machine: Machine { machine_type: "Standard_D4ds_v5".into(), ..Default::default() },
                node_count: 2,
                node_identity_id: None,
            },
            logging: BTreeSet::new(),
            tags: Tags::new(),
            cloud: PerCloud::Azure(AzureClusterSettings { resource_group_name: Some("ml".into()), subnet_id: None }),
        }
    }

    #[test]
    fn a_private_kms_cluster_names_its_vault_and_locks_itself_down() {
        let kms = Kms {
            versioned_key: "https://kv.vault.azure.net/keys/etcd/v1".into(),
            vault_id: "/subscriptions/s/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/kv"
                .into(),
            private: true,
            key_scope: String::new(),
        };
        let body = expand_cluster(&spec(), Some(&kms));
        let p = &body["properties"];
        assert_eq!(
            p["securityProfile"]["azureKeyVaultKms"]["keyVaultNetworkAccess"],
            "Private"
        );
        assert_eq!(
            p["securityProfile"]["azureKeyVaultKms"]["keyVaultResourceId"],
            json!(kms.vault_id)
        );
        assert_eq!(p["securityProfile"]["workloadIdentity"]["enabled"], true);
        assert_eq!(p["oidcIssuerProfile"]["enabled"], true);
        assert_eq!(p["disableLocalAccounts"], true);
        assert_eq!(p["aadProfile"]["enableAzureRBAC"], true);
        assert_eq!(p["apiServerAccessProfile"]["enablePrivateCluster"], true);
        assert_eq!(p["agentPoolProfiles"][0]["nodeTaints"][0], SYSTEM_TAINT);
        assert_eq!(body["identity"]["type"], "UserAssigned");
    }

    #[test]
    fn reads_the_ca_out_of_a_kubeconfig() {
        let kubeconfig = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: TFMwdA==\n    server: https://x:443\n  name: c\n";
        assert_eq!(ca_of_kubeconfig(kubeconfig), "TFMwdA==");
    }
}
