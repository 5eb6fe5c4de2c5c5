//! The ML stack of the issue's contract as HCL: a KMS key, the cluster, node and
//! workload identities, an EKS cluster and a GPU node pool, against one moto server.
//! Scenarios start from [`Stack::new`] and change the one setting their story is about.

use std::collections::BTreeMap;

use acceptance_tests::{Moto, Network, hcl_string};

// Resource addresses.
pub const KEY: &str = "mlcloud_kms_key.etcd";
pub const CLUSTER_IDENTITY: &str = "mlcloud_identity.cluster";
pub const NODE_IDENTITY: &str = "mlcloud_identity.node";
pub const WORKLOAD_IDENTITY: &str = "mlcloud_identity.inference";
pub const CLUSTER: &str = "mlcloud_cluster.main";
pub const GPU_POOL: &str = "mlcloud_node_pool.gpu";

// Names in AWS.
pub const KEY_NAME: &str = "ml-etcd";
pub const CLUSTER_ROLE: &str = "ml-cluster";
pub const NODE_ROLE: &str = "ml-node";
pub const WORKLOAD_ROLE: &str = "ml-inference";
pub const CLUSTER_NAME: &str = "ml-main";
pub const POOL_NAME: &str = "gpu-l4";
/// The launch template the provider makes for the GPU pool:
/// `mlcloud-<cluster>-<pool>-<hash of cluster and pool>`.
pub const POOL_LAUNCH_TEMPLATE: &str = "mlcloud-ml-main-gpu-l4-c9443dba63ba5afe";
pub const NAMESPACE: &str = "ml-serving";
pub const SERVICE_ACCOUNT: &str = "inference";
pub const MODEL_STORE: &str = "s3://models-bucket/llama/";
pub const PERMISSIONS_BOUNDARY: &str = "arn:aws:iam::123456789012:policy/boundary";
pub const DEFAULT_TAGS: [(&str, &str); 1] = [("team", "ml-platform")];

/// Every resource of the stack, in the order a user would import them.
pub const ADDRESSES: [&str; 6] = [
    KEY,
    CLUSTER_IDENTITY,
    NODE_IDENTITY,
    CLUSTER,
    GPU_POOL,
    WORKLOAD_IDENTITY,
];

/// `{ key, value, effect }` of a node pool taint.
#[derive(Clone, Debug)]
pub struct Taint {
    pub key: &'static str,
    pub value: &'static str,
    pub effect: &'static str,
}

/// The settings the stories change; everything else is the contract's example.
#[derive(Clone, Debug)]
pub struct Stack {
    pub subnet_ids: Vec<String>,
    pub security_group_id: String,
    /// `None` leaves the attribute out (its default, 365).
    pub rotation_period_days: Option<u32>,
    /// `None` leaves the attribute out (its default, 30).
    pub deletion_window_days: Option<u32>,
    pub key_tags: BTreeMap<&'static str, &'static str>,
    pub cluster_tags: BTreeMap<&'static str, &'static str>,
    pub system_node_count: u32,
    pub pool_node_count: u32,
    /// `None` leaves `taints` out: a GPU pool then gets `nvidia.com/gpu=present:NoSchedule`.
    pub pool_taints: Option<Vec<Taint>>,
    pub pool_capacity_type: &'static str,
    pub pool_disk_size_gb: u32,
    /// `None` leaves `logging` out (its default, every control-plane log type);
    /// otherwise the types as written, in this order.
    pub logging: Option<Vec<&'static str>>,
    /// `None` leaves `zones` out (the pool uses all of the cluster's subnets);
    /// otherwise the zones as written, in this order.
    pub pool_zones: Option<Vec<String>>,
    /// `None`: a private endpoint (the default); otherwise a public one for these
    /// CIDRs.
    pub public_cidrs: Option<Vec<&'static str>>,
    /// The system pool's `machine_type`.
    pub system_machine_type: &'static str,
    /// `None` leaves `admin_principals` out (the caller administers the cluster).
    pub admin_principals: Option<Vec<&'static str>>,
    /// The cluster's `kubernetes_version`.
    pub cluster_version: &'static str,
    /// `None` leaves the pool's `kubernetes_version` out (it follows the cluster).
    pub pool_version: Option<&'static str>,
    /// `None` leaves the pool's `gpu_device_plugin` out (true: the pool owns one).
    pub gpu_device_plugin: Option<bool>,
}

impl Stack {
    /// The contract's stack on `network`.
    pub fn new(network: &Network) -> Stack {
        Stack {
            subnet_ids: network.subnet_ids.clone(),
            security_group_id: network.security_group_id.clone(),
            rotation_period_days: Some(180),
            deletion_window_days: Some(7),
            key_tags: BTreeMap::from([("purpose", "etcd")]),
            cluster_tags: BTreeMap::from([("env", "test")]),
            system_node_count: 2,
            pool_node_count: 1,
            pool_taints: None,
            pool_capacity_type: "spot",
            pool_disk_size_gb: 200,
            logging: None,
            pool_zones: None,
            public_cidrs: None,
            system_machine_type: "m6i.large",
            admin_principals: None,
            cluster_version: "1.31",
            pool_version: None,
            gpu_device_plugin: None,
        }
    }

    /// The whole root module: provider block (pointed at `moto`, with default tags)
    /// and the six resources.
    pub fn main_tf(&self, moto: &Moto) -> String {
        [
            Stack::provider_only(moto),
            self.key(),
            identities(),
            self.cluster(),
            self.gpu_pool(),
        ]
        .join("\n")
    }

    /// The stack's terraform and provider blocks (pointed at `moto`, with default
    /// tags) without its resources.
    pub fn provider_only(moto: &Moto) -> String {
        let default_tags = format!("default_tags = {}", hcl_map(DEFAULT_TAGS));
        [terraform_block(), moto.provider_block(&default_tags)].join("\n")
    }

    /// The `mlcloud_kms_key.etcd` resource alone.
    pub fn key(&self) -> String {
        let mut lines = vec![
            r#"cloud       = "aws""#.to_owned(),
            format!("name        = {}", hcl_string(KEY_NAME)),
            r#"description = "etcd secrets""#.to_owned(),
        ];
        if let Some(days) = self.rotation_period_days {
            lines.push(format!("rotation_period_days = {days}"));
        }
        if let Some(days) = self.deletion_window_days {
            lines.push(format!("deletion_window_days = {days}"));
        }
        lines.push(format!("tags = {}", hcl_map(self.key_tags.clone())));
        resource("mlcloud_kms_key", "etcd", &lines.join("\n"))
    }

    fn cluster(&self) -> String {
        let mut body = format!(
            r#"cloud              = "aws"
name               = {name}
kubernetes_version = {version}
endpoint_access    = {access}
encryption_key_id  = mlcloud_kms_key.etcd.key_ref
identity_id        = mlcloud_identity.cluster.id
system_pool {{
  machine_type     = {system_machine}
  node_count       = {system_nodes}
  node_identity_id = mlcloud_identity.node.id
}}
aws {{
  subnet_ids         = {subnets}
  security_group_ids = {groups}
}}
tags = {tags}"#,
            name = hcl_string(CLUSTER_NAME),
            version = hcl_string(self.cluster_version),
            access = hcl_string(if self.public_cidrs.is_some() {
                "public"
            } else {
                "private"
            }),
            system_machine = hcl_string(self.system_machine_type),
            system_nodes = self.system_node_count,
            subnets = hcl_list(&self.subnet_ids),
            groups = hcl_list(std::slice::from_ref(&self.security_group_id)),
            tags = hcl_map(self.cluster_tags.clone()),
        );
        if let Some(types) = &self.logging {
            let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
            body.push_str(&format!("\nlogging = {}", hcl_list(&types)));
        }
        if let Some(principals) = &self.admin_principals {
            let principals: Vec<String> = principals.iter().map(|p| p.to_string()).collect();
            body.push_str(&format!("\nadmin_principals = {}", hcl_list(&principals)));
        }
        if let Some(cidrs) = &self.public_cidrs {
            let cidrs: Vec<String> = cidrs.iter().map(|c| c.to_string()).collect();
            body.push_str(&format!("\nauthorized_cidrs = {}", hcl_list(&cidrs)));
        }
        resource("mlcloud_cluster", "main", &body)
    }

    fn gpu_pool(&self) -> String {
        let mut body = format!(
            r#"cloud      = "aws"
cluster_id = mlcloud_cluster.main.id
name       = {name}
accelerator {{
  type  = "nvidia-l4"
  count = 1
}}
node_count       = {nodes}
capacity_type    = {capacity}
labels           = {{ workload = "inference" }}
disk_size_gb     = {disk}
node_identity_id = mlcloud_identity.node.id
tags             = {{ pool = "gpu" }}"#,
            name = hcl_string(POOL_NAME),
            nodes = self.pool_node_count,
            capacity = hcl_string(self.pool_capacity_type),
            disk = self.pool_disk_size_gb,
        );
        if let Some(taints) = &self.pool_taints {
            body.push_str(&format!("\ntaints = {}", hcl_taints(taints)));
        }
        if let Some(version) = self.pool_version {
            body.push_str(&format!("\nkubernetes_version = {}", hcl_string(version)));
        }
        if let Some(zones) = &self.pool_zones {
            body.push_str(&format!("\nzones = {}", hcl_list(zones)));
        }
        if let Some(plugin) = self.gpu_device_plugin {
            body.push_str(&format!("\ngpu_device_plugin = {plugin}"));
        }
        resource("mlcloud_node_pool", "gpu", &body)
    }
}

pub fn terraform_block() -> String {
    r#"terraform {
  required_providers {
    mlcloud = { source = "mlcloud/mlcloud" }
  }
}
"#
    .to_owned()
}

/// The cluster and node roles, and the workload identity of the inference service
/// account with its two grants.
fn identities() -> String {
    let cluster = resource(
        "mlcloud_identity",
        "cluster",
        &format!(
            "cloud   = \"aws\"\nname    = {}\npurpose = \"cluster\"",
            hcl_string(CLUSTER_ROLE)
        ),
    );
    let node = resource(
        "mlcloud_identity",
        "node",
        &format!(
            "cloud   = \"aws\"\nname    = {}\npurpose = \"node\"",
            hcl_string(NODE_ROLE)
        ),
    );
    let workload = resource(
        "mlcloud_identity",
        "inference",
        &format!(
            r#"cloud   = "aws"
name    = {name}
purpose = "workload"
workload {{
  cluster_id      = mlcloud_cluster.main.id
  namespace       = {namespace}
  service_account = {service_account}
}}
grants = [
  {{ action = "kms_decrypt", target = mlcloud_kms_key.etcd.key_ref }},
  {{ action = "model_store_read", target = {model_store} }},
]
aws {{
  permissions_boundary_arn = {boundary}
}}"#,
            name = hcl_string(WORKLOAD_ROLE),
            namespace = hcl_string(NAMESPACE),
            service_account = hcl_string(SERVICE_ACCOUNT),
            model_store = hcl_string(MODEL_STORE),
            boundary = hcl_string(PERMISSIONS_BOUNDARY),
        ),
    );
    [cluster, node, workload].join("\n")
}

/// `resource "TYPE" "NAME" { BODY }`, the body indented.
pub fn resource(resource_type: &str, name: &str, body: &str) -> String {
    let indented: String = body.lines().map(|line| format!("  {line}\n")).collect();
    format!("resource \"{resource_type}\" \"{name}\" {{\n{indented}}}\n")
}

pub fn hcl_map<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let pairs: Vec<String> = entries
        .into_iter()
        .map(|(key, value)| format!("{} = {}", hcl_string(key), hcl_string(value)))
        .collect();
    format!("{{ {} }}", pairs.join(", "))
}

pub fn hcl_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| hcl_string(item)).collect();
    format!("[{}]", quoted.join(", "))
}

fn hcl_taints(taints: &[Taint]) -> String {
    let objects: Vec<String> = taints
        .iter()
        .map(|taint| {
            format!(
                "{{ key = {}, value = {}, effect = {} }}",
                hcl_string(taint.key),
                hcl_string(taint.value),
                hcl_string(taint.effect)
            )
        })
        .collect();
    format!("[{}]", objects.join(", "))
}
