//! One serving endpoint, as the manifests need it. The resource builds this from its
//! configuration; the cloud parts come from the cloud's backend already resolved.

use std::collections::BTreeMap;

/// How many pods serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replicas {
    /// A fixed count, owned by mlcloud.
    Fixed(u32),
    /// An HPA (autoscaling/v2) on CPU utilisation owns the count.
    Autoscaling {
        min: u32,
        max: u32,
        target_cpu_percent: u32,
    },
}

/// An extended resource a pod asks for whole units of (`nvidia.com/gpu`, `google.com/tpu`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accelerators {
    pub resource: String,
    pub count: u32,
}

/// What each pod requests; requests equal limits, so the pod is Guaranteed and a
/// model cannot be starved by neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodResources {
    /// Kubernetes quantity, e.g. `"1"` or `"500m"`.
    pub cpu: String,
    /// Kubernetes quantity, e.g. `"2Gi"`.
    pub memory: String,
    pub accelerators: Option<Accelerators>,
}

/// A taint the pods tolerate (a node pool's).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Toleration {
    pub key: String,
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// Which nodes the pods run on: a pool's selector and taints, from its cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<Toleration>,
}

/// How the pods' service account is tied to a cloud identity (IRSA's role annotation,
/// Azure's workload-identity label and client-id annotation, GKE's service-account
/// annotation), from the identity's cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadBinding {
    pub service_account_annotations: BTreeMap<String, String>,
    pub service_account_labels: BTreeMap<String, String>,
    /// Azure's webhook looks for its label on the pod, not only the service account.
    pub pod_labels: BTreeMap<String, String>,
}

/// Who, besides the allowed namespaces, may reach the pods: the API server's service
/// proxy comes from the control plane, which is not a pod in any namespace on most
/// clouds. Without this rule the smoke test fails on a real cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlanePeer {
    /// The control plane's addresses (GKE's `master_ipv4_cidr_block`, EKS's subnets).
    Cidr(String),
    /// Pods that tunnel for the control plane (konnectivity agents in `kube-system`
    /// on AKS and newer GKE).
    Pods {
        namespace: String,
        labels: BTreeMap<String, String>,
    },
}

/// Everything the manifests are rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub name: String,
    pub namespace: String,
    pub image: String,
    pub model_name: String,
    /// Where the server loads the model from; `None` serves the image's own model.
    pub model_uri: Option<String>,
    pub port: u16,
    pub replicas: Replicas,
    pub resources: PodResources,
    pub placement: Placement,
    pub binding: WorkloadBinding,
    /// Namespaces whose pods may call the model (the endpoint's own always may).
    pub allowed_namespaces: Vec<String>,
    pub control_plane: Vec<ControlPlanePeer>,
    /// How long the model may take to load before the startup probe gives up.
    pub startup_seconds: u32,
    /// Annotations on the Deployment: what the configuration names that the cluster
    /// cannot tell (the pool's and identity's cloud ids), so an import reads them back.
    pub deployment_annotations: BTreeMap<String, String>,
}
