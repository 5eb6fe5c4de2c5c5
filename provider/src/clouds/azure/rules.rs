//! Azure's plan rules (see `clouds::rules`): pure functions over the configuration, so a
//! plan refuses what ARM, AKS, Key Vault or Managed Identity would refuse, on the
//! attribute that is wrong.

use super::key_uri::KeyUri;
use super::resource_id::ResourceId;
use crate::Cloud;
use crate::clouds::model::GrantAction;
use crate::clouds::rules::{CloudRules, ObjectKind};
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

/// The control-plane log types mlcloud can turn on for AKS: none yet. AKS's logs
/// (`kube-apiserver`, `kube-audit`, `kube-audit-admin`, `kube-controller-manager`,
/// `kube-scheduler`, `cluster-autoscaler`, `guard`) are Azure Monitor diagnostic
/// settings that need a destination (a Log Analytics workspace or storage account)
/// this resource does not take yet; promising them would leave a plan that never
/// settles.
pub const LOG_TYPES: [&str; 0] = [];

/// A general-purpose VM with local disk, what AKS suggests for system pools.
const SYSTEM_MACHINE_TYPE: &str = "Standard_D4ds_v5";

/// Characters ARM refuses in tag names.
const FORBIDDEN_IN_TAG_KEYS: &[char] = &['<', '>', '%', '&', '\\', '?', '/'];

pub struct AzureRules;

fn invalid(path: AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path)
}

fn azure_attr<'a>(config: &'a Value, name: &str) -> Option<&'a Value> {
    config
        .attr("azure")
        .filter(|b| !b.is_null())
        .and_then(|b| b.attr(name))
}

/// Set, or unknown (a reference not yet known at validate time).
fn given(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

fn chars_ok(name: &str, extra: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// `azure { resource_group_name }` is needed: ARM has no default resource group.
fn require_resource_group(config: &Value, kind: ObjectKind, diags: &mut Diagnostics) {
    if given(azure_attr(config, "resource_group_name")) {
        return;
    }
    diags.push(invalid(
        AttributePath::attr("azure").push_attr("resource_group_name"),
        format!(
            "On azure, a {} needs azure {{ resource_group_name = \"...\" }}: the resource group to create it in.",
            ObjectKind::noun(kind)
        ),
    ));
}

/// A known string attribute that is not the id of a `namespace/types` resource.
fn check_arm_id(
    config: &Value,
    path: AttributePath,
    value: Option<&Value>,
    namespace: &str,
    types: &[&str],
    diags: &mut Diagnostics,
) {
    let _ = config;
    if let Some(text) = value.and_then(Value::as_str)
        && ResourceId::parse_kind(text, namespace, types).is_err()
    {
        diags.push(invalid(
            path,
            format!(
                "Expected the id of a {namespace}/{} resource (/subscriptions/SUB/resourceGroups/RG/providers/{namespace}/{}), got \"{text}\".",
                types.join("/"),
                types.iter().map(|t| format!("{t}/NAME")).collect::<Vec<_>>().join("/")
            ),
        ));
    }
}

/// The machine type of a pool configured with an explicit `machine_type` that is no
/// GPU size (NC, ND, NV series); `None` for GPU pools, accelerators and unknowns.
fn cpu_machine_type(config: &Value) -> Option<&str> {
    if given(config.attr("accelerator")) {
        return None;
    }
    let machine = config.attr("machine_type").and_then(Value::as_str)?;
    let lower = machine.to_ascii_lowercase();
    let gpu = ["standard_nc", "standard_nd", "standard_nv"]
        .iter()
        .any(|p| lower.starts_with(p));
    (!gpu).then_some(machine)
}

/// Whether `id` is an object id as Entra writes it: a lowercase GUID.
fn is_entra_object_id(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        })
}

/// `admin_principals` on azure are Entra object ids.
fn check_admin_principals(config: &Value, diags: &mut Diagnostics) {
    let Some(admins) = config.attr("admin_principals").and_then(Value::as_elements) else {
        return;
    };
    for id in admins.iter().filter_map(Value::as_str) {
        if !is_entra_object_id(id) {
            diags.push(invalid(
                AttributePath::attr("admin_principals"),
                format!("On azure, admin_principals are Microsoft Entra object ids of users, groups or service principals, as lowercase GUIDs (e.g. 6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c; `az ad signed-in-user show --query id`), got \"{id}\"."),
            ));
        }
    }
}

/// A model store on Azure: the ARM id of a blob container (the narrowest scope a
/// Storage Blob Data role can be assigned at).
pub fn container_id(target: &str) -> Option<ResourceId> {
    ResourceId::parse_kind(
        target,
        "Microsoft.Storage",
        &["storageAccounts", "blobServices", "containers"],
    )
    .ok()
}

impl CloudRules for AzureRules {
    fn cloud(&self) -> Cloud {
        Cloud::Azure
    }

    fn check_name(&self, kind: ObjectKind, name: &str) -> Result<(), String> {
        let ok = match kind {
            // A Key Vault key name.
            ObjectKind::Key => (1..=127).contains(&name.len()) && chars_ok(name, "-"),
            ObjectKind::Identity => {
                (3..=128).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && chars_ok(name, "-_")
            }
            ObjectKind::Cluster => {
                (1..=63).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && name.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && chars_ok(name, "-_")
            }
            ObjectKind::NodePool => {
                (1..=12).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            }
        };
        if ok {
            Ok(())
        } else {
            Err(self.name_rule(kind).into())
        }
    }

    fn name_rule(&self, kind: ObjectKind) -> &'static str {
        match kind {
            ObjectKind::Key => "must be 1 to 127 letters, digits or '-' (a Key Vault key name)",
            ObjectKind::Identity => {
                "must be 3 to 128 letters, digits, '-' or '_', starting with a letter or digit (a managed identity name)"
            }
            ObjectKind::Cluster => {
                "must be 1 to 63 letters, digits, '-' or '_', starting and ending with a letter or digit (an AKS cluster name)"
            }
            ObjectKind::NodePool => {
                "must match ^[a-z][a-z0-9]{0,11}$: a lowercase letter, then up to 11 lowercase letters or digits (an AKS agent pool name)"
            }
        }
    }

    fn check_tag(&self, key: &str, value: &str) -> Result<(), String> {
        if key.is_empty() || key.chars().count() > 512 {
            return Err("Azure tag names are 1 to 512 characters".into());
        }
        if let Some(c) = key.chars().find(|c| FORBIDDEN_IN_TAG_KEYS.contains(c)) {
            return Err(format!(
                "Azure tag names must not contain {c:?} (none of < > % & \\ ? /)"
            ));
        }
        if value.chars().count() > 256 {
            return Err("Azure tag values are at most 256 characters".into());
        }
        Ok(())
    }

    /// ARM allows 50 tags per resource.
    fn max_tags(&self) -> Option<usize> {
        Some(50)
    }

    fn is_object_id(&self, kind: ObjectKind, id: &str) -> bool {
        let (namespace, types): (&str, &[&str]) = match kind {
            ObjectKind::Key => ("Microsoft.KeyVault", &["vaults", "keys"]),
            ObjectKind::Identity => ("Microsoft.ManagedIdentity", &["userAssignedIdentities"]),
            ObjectKind::Cluster => ("Microsoft.ContainerService", &["managedClusters"]),
            ObjectKind::NodePool => (
                "Microsoft.ContainerService",
                &["managedClusters", "agentPools"],
            ),
        };
        ResourceId::parse_kind(id, namespace, types).is_ok()
    }

    fn id_form(&self, kind: ObjectKind) -> &'static str {
        match kind {
            ObjectKind::Key => {
                "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/VAULT/keys/NAME"
            }
            ObjectKind::Identity => {
                "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME"
            }
            ObjectKind::Cluster => {
                "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME"
            }
            ObjectKind::NodePool => {
                "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/CLUSTER/agentPools/NAME"
            }
        }
    }

    fn check_key(&self, config: &Value, diags: &mut Diagnostics) {
        let vault = azure_attr(config, "key_vault_id");
        if !given(vault) {
            require_resource_group(config, ObjectKind::Key, diags);
        }
        check_arm_id(
            config,
            AttributePath::attr("azure").push_attr("key_vault_id"),
            vault,
            "Microsoft.KeyVault",
            &["vaults"],
            diags,
        );
        // Key Vault rotates at the earliest 7 days after creation.
        if let Some(days) = config.attr("rotation_period_days").and_then(Value::as_i64)
            && days < 7
        {
            diags.push(invalid(
                AttributePath::attr("rotation_period_days"),
                format!("On azure, rotation_period_days must be at least 7 (Key Vault's shortest rotation), got {days}."),
            ));
        }
    }

    fn check_identity(&self, config: &Value, diags: &mut Diagnostics) {
        require_resource_group(config, ObjectKind::Identity, diags);
        let Some(grants) = config.attr("grants").and_then(Value::as_elements) else {
            return;
        };
        for (i, g) in grants.iter().enumerate() {
            let (Some(action), Some(target)) = (
                g.attr("action")
                    .and_then(Value::as_str)
                    .and_then(GrantAction::parse),
                g.attr("target").and_then(Value::as_str),
            ) else {
                continue;
            };
            let want = if action.targets_key() {
                KeyUri::parse(target).err().map(|_| {
                    "a versionless Key Vault key URI such as \"https://VAULT.vault.azure.net/keys/NAME\" (an mlcloud_kms_key's key_ref)"
                })
            } else {
                container_id(target).is_none().then_some(
                    "the ARM id of a blob container (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/ACCOUNT/blobServices/default/containers/NAME)",
                )
            };
            if let Some(want) = want {
                diags.push(invalid(
                    AttributePath::attr("grants")
                        .push_index(i as i64)
                        .push_attr("target"),
                    format!(
                        "{} on azure needs {want}, got \"{target}\".",
                        action.as_str()
                    ),
                ));
            }
        }
    }

    fn check_cluster(&self, config: &Value, diags: &mut Diagnostics) {
        require_resource_group(config, ObjectKind::Cluster, diags);
        check_admin_principals(config, diags);
        if config.attr("identity_id").is_some_and(Value::is_null) {
            diags.push(invalid(
                AttributePath::attr("identity_id"),
                "On azure, identity_id is required: the id of an mlcloud_identity with purpose = \"cluster\" (the AKS control plane's user-assigned identity).",
            ));
        }
        if given(
            config
                .attr("system_pool")
                .filter(|p| !p.is_null())
                .and_then(|p| p.attr("node_identity_id")),
        ) {
            diags.push(invalid(
                AttributePath::attr("system_pool").push_attr("node_identity_id"),
                "On azure, nodes run as the kubelet identity AKS makes for the cluster; choosing one is not supported yet, so remove system_pool.node_identity_id.",
            ));
        }
        check_arm_id(
            config,
            AttributePath::attr("azure").push_attr("subnet_id"),
            azure_attr(config, "subnet_id"),
            "Microsoft.Network",
            &["virtualNetworks", "subnets"],
            diags,
        );
        if let Some(key) = config.attr("encryption_key_id").and_then(Value::as_str)
            && KeyUri::parse(key).is_err()
        {
            diags.push(invalid(
                AttributePath::attr("encryption_key_id"),
                format!("On azure, encryption_key_id takes an mlcloud_kms_key's key_ref (https://VAULT.vault.azure.net/keys/NAME), got \"{key}\"."),
            ));
        }
    }

    fn check_node_pool(&self, config: &Value, diags: &mut Diagnostics) {
        if given(config.attr("node_identity_id")) {
            diags.push(invalid(
                AttributePath::attr("node_identity_id"),
                "On azure, node pools run as the cluster's kubelet identity; remove node_identity_id.",
            ));
        }
        if given(azure_attr(config, "gpu_driver"))
            && let Some(machine) = cpu_machine_type(config)
        {
            diags.push(invalid(
                AttributePath::attr("azure").push_attr("gpu_driver"),
                format!("azure.gpu_driver applies to GPU pools only (NC, ND and NV VM sizes, or an accelerator {{}}); {machine} has no GPU, so remove gpu_driver."),
            ));
        }
    }

    fn pools_follow_cluster(&self) -> bool {
        true
    }

    /// AKS encrypts node OS disks with a customer key through a Disk Encryption Set
    /// named on the cluster (`diskEncryptionSetID`), not per pool; mlcloud does not
    /// make one yet.
    fn pool_disks_take_key(&self) -> bool {
        false
    }

    fn unsupported_reason(&self, name: &str) -> Option<&'static str> {
        (name == "disk_encryption_key_id").then_some(
            "AKS encrypts node disks with a customer key only through a Disk Encryption Set named on the cluster (diskEncryptionSetID), never per pool, and mlcloud does not create one yet; node disks use platform-managed keys (etcd is still encrypted with the cluster's encryption_key_id).",
        )
    }

    fn has_cluster_admins(&self) -> bool {
        true
    }

    /// AKS installs the driver on GPU pools, not the device plugin.
    fn pools_run_gpu_device_plugin(&self) -> bool {
        true
    }

    fn pool_setting_defaults(&self) -> &'static [(&'static str, &'static str)] {
        &[("gpu_driver", super::node_pool::DEFAULT_GPU_DRIVER)]
    }

    /// Key Vault keys are only created through ARM; changing one goes through the
    /// vault's data plane, which a vault with public network access off (every
    /// dedicated vault) answers only over a private endpoint.
    fn check_key_update(&self, prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        let dedicated = azure_attr(prior, "key_vault_id").is_none_or(Value::is_null);
        if !dedicated {
            return;
        }
        for name in ["rotation_period_days", "description", "tags_all"] {
            let (before, after) = (prior.attr(name), planned.attr(name));
            if after.is_some_and(Value::is_wholly_known) && before != after {
                let shown = if name == "tags_all" { "tags" } else { name };
                diags.push(
                    Diagnostic::warning(
                        "This key change needs the vault's private endpoint",
                        format!("Azure Resource Manager cannot change a Key Vault key once it exists, so the new {shown} is written through the vault's data plane. The key's dedicated vault has public network access disabled: the apply succeeds only where Terraform reaches the vault through a private endpoint (for example a runner inside the vault's virtual network). Elsewhere Key Vault answers ForbiddenByConnection, the apply fails and the state keeps the old value."),
                    )
                    .at(AttributePath::attr(shown)),
                );
            }
        }
    }

    fn cluster_log_types(&self) -> &'static [&'static str] {
        &LOG_TYPES
    }

    fn default_system_machine_type(&self) -> &'static str {
        SYSTEM_MACHINE_TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn paths(diags: &Diagnostics) -> Vec<String> {
        diags.iter().map(|d| format!("{:?}", d.attribute)).collect()
    }

    #[test]
    fn agent_pool_names_follow_aks() {
        let r = AzureRules;
        for ok in ["gpu", "a", "gpu01", "abcdefghijkl"] {
            assert!(r.check_name(ObjectKind::NodePool, ok).is_ok(), "{ok}");
        }
        for bad in ["GPU", "1gpu", "gpu-a", "abcdefghijklm", ""] {
            let err = r.check_name(ObjectKind::NodePool, bad).unwrap_err();
            assert!(err.contains("^[a-z][a-z0-9]{0,11}$"), "{bad}: {err}");
        }
        assert!(r.check_name(ObjectKind::Cluster, "ml-main").is_ok());
        assert!(r.check_name(ObjectKind::Cluster, "ml-").is_err());
        assert!(r.check_name(ObjectKind::Identity, "ab").is_err());
        assert!(r.check_name(ObjectKind::Key, "etcd_key").is_err());
    }

    #[test]
    fn tags_follow_arm_limits() {
        let r = AzureRules;
        assert!(r.check_tag("team", "ml").is_ok());
        assert!(r.check_tag("a/b", "x").unwrap_err().contains("'/'"));
        assert!(r.check_tag(&"k".repeat(513), "x").is_err());
        assert!(r.check_tag("k", &"v".repeat(257)).is_err());
        assert_eq!(r.max_tags(), Some(50));
    }

    #[test]
    fn ids_are_arm_ids_of_the_right_kind() {
        let r = AzureRules;
        let pool = format!(
            "/subscriptions/{SUB}/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/main/agentPools/gpu"
        );
        assert!(r.is_object_id(ObjectKind::NodePool, &pool));
        assert!(!r.is_object_id(ObjectKind::Cluster, &pool));
        assert!(r.is_object_id(
            ObjectKind::Key,
            &format!("/subscriptions/{SUB}/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/kv/keys/etcd")
        ));
        assert!(!r.is_object_id(ObjectKind::Identity, "arn:aws:iam::123456789012:role/x"));
        assert_eq!(r.location_in_id(&pool), None);
    }

    #[test]
    fn resource_group_is_required_on_its_path() {
        let r = AzureRules;
        let mut d = Diagnostics::new();
        r.check_identity(&obj(&[("name", Value::from("x"))]), &mut d);
        assert_eq!(d.iter().count(), 1);
        assert!(
            paths(&d)[0].contains("resource_group_name"),
            "{:?}",
            paths(&d)
        );
        // A key in an existing vault takes the vault's resource group.
        let mut d = Diagnostics::new();
        let vault = format!(
            "/subscriptions/{SUB}/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/kv"
        );
        r.check_key(
            &obj(&[(
                "azure",
                obj(&[("key_vault_id", Value::from(vault.as_str()))]),
            )]),
            &mut d,
        );
        assert!(d.is_empty(), "{:?}", paths(&d));
    }

    #[test]
    fn node_identities_are_refused_rather_than_ignored() {
        let r = AzureRules;
        let mut d = Diagnostics::new();
        r.check_node_pool(&obj(&[("node_identity_id", "x".into())]), &mut d);
        assert!(paths(&d)[0].contains("node_identity_id"), "{:?}", paths(&d));
        let mut d = Diagnostics::new();
        r.check_cluster(
            &obj(&[
                ("azure", obj(&[("resource_group_name", "ml".into())])),
                ("identity_id", "x".into()),
                ("system_pool", obj(&[("node_identity_id", "y".into())])),
            ]),
            &mut d,
        );
        assert_eq!(d.iter().count(), 1, "{:?}", paths(&d));
        assert!(paths(&d)[0].contains("system_pool"), "{:?}", paths(&d));
    }

    #[test]
    fn admins_are_lowercase_object_ids() {
        let r = AzureRules;
        let cluster = |admins: &[&str]| {
            obj(&[
                ("azure", obj(&[("resource_group_name", "ml".into())])),
                ("identity_id", "x".into()),
                (
                    "admin_principals",
                    Value::Set(admins.iter().map(|a| Value::from(*a)).collect()),
                ),
            ])
        };
        let mut d = Diagnostics::new();
        r.check_cluster(&cluster(&["6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c"]), &mut d);
        assert!(d.is_empty(), "{:?}", paths(&d));
        for bad in [
            "alice@example.com",
            "6F1C2A3B-0D4E-4F5A-9B8C-7D6E5F4A3B2C",
            "arn:aws:iam::111122223333:role/Admin",
            "6f1c2a3b0d4e4f5a9b8c7d6e5f4a3b2c",
        ] {
            let mut d = Diagnostics::new();
            r.check_cluster(&cluster(&[bad]), &mut d);
            assert_eq!(d.iter().count(), 1, "{bad}");
            assert!(paths(&d)[0].contains("admin_principals"), "{:?}", paths(&d));
        }
        assert!(r.has_cluster_admins());
    }

    #[test]
    fn gpu_driver_is_for_gpu_pools_and_the_disk_key_says_why_not() {
        let r = AzureRules;
        let pool = |machine: &str| {
            obj(&[
                ("machine_type", machine.into()),
                ("azure", obj(&[("gpu_driver", "None".into())])),
            ])
        };
        let mut d = Diagnostics::new();
        r.check_node_pool(&pool("Standard_NC4as_T4_v3"), &mut d);
        assert!(d.is_empty(), "{:?}", paths(&d));
        let mut d = Diagnostics::new();
        r.check_node_pool(&pool("Standard_D4ds_v5"), &mut d);
        assert!(paths(&d)[0].contains("gpu_driver"), "{:?}", paths(&d));
        // An accelerator is a GPU on azure.
        let mut d = Diagnostics::new();
        r.check_node_pool(
            &obj(&[
                ("accelerator", obj(&[("type", "nvidia-t4".into())])),
                ("azure", obj(&[("gpu_driver", "None".into())])),
            ]),
            &mut d,
        );
        assert!(d.is_empty(), "{:?}", paths(&d));
        assert!(r.pools_follow_cluster() && !r.pool_disks_take_key());
        assert!(
            r.unsupported_reason("disk_encryption_key_id")
                .is_some_and(|why| why.contains("Disk Encryption Set"))
        );
    }

    #[test]
    fn grants_name_keys_by_uri_and_stores_by_container_id() {
        let r = AzureRules;
        let grants = Value::List(vec![
            obj(&[
                ("action", "kms_decrypt".into()),
                ("target", "https://kv.vault.azure.net/keys/etcd".into()),
            ]),
            obj(&[
                ("action", "kms_decrypt".into()),
                ("target", "arn:aws:kms:us-east-1:1:key/x".into()),
            ]),
            obj(&[
                ("action", "model_store_read".into()),
                ("target", "s3://bucket".into()),
            ]),
        ]);
        let mut d = Diagnostics::new();
        r.check_identity(
            &obj(&[
                ("azure", obj(&[("resource_group_name", "ml".into())])),
                ("grants", grants),
            ]),
            &mut d,
        );
        let p = paths(&d);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains('1') && p[1].contains('2'), "{p:?}");
    }
}
