//! A cloud's plan rules: what differs per cloud at plan time (name and tag rules, id
//! forms, log types, defaults, extra checks, which changes force replacement), as pure
//! functions beside each backend (`clouds/<cloud>/rules.rs`). Resources ask the rules
//! of the resource's cloud through a [`RuleBook`] the provider's entry point fills, so
//! no resource branches on the cloud and none imports a backend.

use super::model::Architecture;
use crate::Cloud;
use crate::config::ProviderConfig;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

/// The kinds of object mlcloud manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Key,
    Identity,
    Cluster,
    NodePool,
}

impl ObjectKind {
    /// The Terraform type name.
    pub const fn type_name(self) -> &'static str {
        match self {
            ObjectKind::Key => "mlcloud_kms_key",
            ObjectKind::Identity => "mlcloud_identity",
            ObjectKind::Cluster => "mlcloud_cluster",
            ObjectKind::NodePool => "mlcloud_node_pool",
        }
    }

    /// For messages: "key", "node pool".
    pub const fn noun(self) -> &'static str {
        match self {
            ObjectKind::Key => "key",
            ObjectKind::Identity => "identity",
            ObjectKind::Cluster => "cluster",
            ObjectKind::NodePool => "node pool",
        }
    }
}

/// One cloud's plan rules. The `check_*` methods see the configuration as Terraform
/// sent it (values may be unknown at validate time: a rule skips what it cannot know
/// yet) and add diagnostics on exact attribute paths.
pub trait CloudRules: Send + Sync {
    fn cloud(&self) -> Cloud;

    /// Whether `name` is a legal name for a `kind` on this cloud; the error says what
    /// the cloud allows.
    fn check_name(&self, kind: ObjectKind, name: &str) -> Result<(), String>;

    /// What a name of `kind` must look like on this cloud, for the docs ("must be ...").
    fn name_rule(&self, kind: ObjectKind) -> &'static str;

    /// Whether the cloud accepts `key = value` as a tag or label (mlcloud's own marker
    /// keys are refused for every cloud before this is asked).
    fn check_tag(&self, key: &str, value: &str) -> Result<(), String>;

    /// The most tags (labels) one object may carry on this cloud, mlcloud's markers
    /// included; `None` when the cloud's limit is beyond what a plan needs to check.
    fn max_tags(&self) -> Option<usize> {
        None
    }

    /// How many tags of its own bookkeeping (beyond the two markers every object
    /// carries) this cloud's backend may add to one object; they count against
    /// [`CloudRules::max_tags`] too.
    fn own_tags(&self) -> usize {
        0
    }

    /// Whether `id` has the exact form of this cloud's identifier of a `kind`.
    fn is_object_id(&self, kind: ObjectKind, id: &str) -> bool;

    /// The accepted id forms of a `kind`, for messages (e.g. `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`).
    fn id_form(&self, kind: ObjectKind) -> &'static str;

    /// The location an id names, when it names one (AWS: the ARN's region).
    fn location_in_id(&self, _id: &str) -> Option<String> {
        None
    }

    /// Where resources of this cloud are made when neither the resource's `location`
    /// nor the provider block names a region: what the cloud's own tools would use
    /// from the environment (AWS: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
    /// region). Asked once, when the provider is configured, so that the plan shows it.
    fn environment_location<'a>(
        &'a self,
        _config: &'a ProviderConfig,
    ) -> Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>> {
        Box::pin(async { None })
    }

    fn check_key(&self, _config: &Value, _diags: &mut Diagnostics) {}
    fn check_identity(&self, _config: &Value, _diags: &mut Diagnostics) {}
    fn check_cluster(&self, _config: &Value, _diags: &mut Diagnostics) {}
    fn check_node_pool(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// The control-plane log types the cloud can send; all are on by default.
    fn cluster_log_types(&self) -> &'static [&'static str];

    /// The system pool's machine type when the configuration names none.
    fn default_system_machine_type(&self) -> &'static str;

    /// Top-level cluster attributes whose change replaces the cluster on this cloud
    /// (beyond what the schema already marks), e.g. the secrets key on EKS.
    fn cluster_replaced_by(&self) -> &'static [&'static str] {
        &[]
    }

    /// The CPU architecture of a machine type (it picks the node image).
    fn architecture(&self, _machine_type: &str) -> Architecture {
        Architecture::X86_64
    }

    /// What a successful delete of the `kind` object `id` leaves in the cloud because
    /// the cloud cannot delete it (e.g. a Cloud KMS key ring), for a warning.
    fn left_behind_by_delete(&self, _kind: ObjectKind, _id: &str) -> Option<String> {
        None
    }

    /// Whether node pool versions follow their cluster on this cloud: a pool's
    /// `kubernetes_version` defaults to the cluster's at plan time and the backend
    /// upgrades pools in place. Clouds without it refuse the attribute.
    fn pools_follow_cluster(&self) -> bool {
        false
    }

    /// Whether node pool disks take a customer key on this cloud: a pool's
    /// `disk_encryption_key_id` defaults to the cluster's key at plan time and the
    /// backend encrypts the nodes' disks with it. Clouds without it refuse the
    /// attribute. The same as [`CloudRules::pools_follow_cluster`] unless a cloud
    /// says otherwise (on AKS the disk key is the cluster's Disk Encryption Set, not
    /// a pool setting).
    fn pool_disks_take_key(&self) -> bool {
        self.pools_follow_cluster()
    }

    /// Why this cloud refuses the attribute `name` (one its rules do not support),
    /// for the diagnostic; `None`: it is simply not there yet.
    fn unsupported_reason(&self, _name: &str) -> Option<&'static str> {
        None
    }

    /// Settings of the node pool's cloud block that cannot change on a live pool (a
    /// change replaces it) and that the cloud reads back as unset when they hold its
    /// default, as `(attribute, default)`: a configuration that spells the default
    /// out keeps it in state, and unset and the default are the same value when
    /// deciding whether the pool must be replaced.
    fn pool_setting_defaults(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Extra plan-time checks of a key update (`prior` is the state, `planned` the
    /// plan), e.g. a warning that the change needs a network path the cloud may not
    /// give.
    fn check_key_update(&self, _prior: &Value, _planned: &Value, _diags: &mut Diagnostics) {}

    /// Whether the backend writes `admin_principals` (and tells who the caller is);
    /// clouds without it refuse the attribute.
    fn has_cluster_admins(&self) -> bool {
        false
    }

    /// Whether node pools can be TPU slices (`tpu {}`).
    fn has_tpu_slices(&self) -> bool {
        false
    }

    /// Whether a GPU node pool must bring the NVIDIA device plugin to its nodes on
    /// this cloud (a DaemonSet the pool owns, unless `gpu_device_plugin = false`):
    /// the cloud's GPU images do not run it, so without it no GPU is allocatable.
    /// False where the cloud runs its own (GKE).
    fn pools_run_gpu_device_plugin(&self) -> bool {
        false
    }

    /// Whether an autoscaled node pool needs the Kubernetes cluster autoscaler in its
    /// cluster to scale at all (EKS managed node groups only move within their
    /// bounds when something sets the desired size); false where the cloud scales
    /// pools itself (AKS, GKE). See `resources::cluster_autoscaler`.
    fn pools_need_cluster_autoscaler(&self) -> bool {
        false
    }
}

/// The rules of every cloud this build supports, filled by the provider's entry point.
#[derive(Clone, Default)]
pub struct RuleBook {
    clouds: Vec<Arc<dyn CloudRules>>,
}

impl RuleBook {
    pub fn new(clouds: Vec<Arc<dyn CloudRules>>) -> Self {
        RuleBook { clouds }
    }

    pub fn for_cloud(&self, cloud: Cloud) -> Option<&dyn CloudRules> {
        self.clouds
            .iter()
            .find(|r| r.cloud() == cloud)
            .map(|r| r.as_ref())
    }

    /// Every supported cloud's rules.
    pub fn all(&self) -> impl Iterator<Item = &dyn CloudRules> {
        self.clouds.iter().map(|r| r.as_ref())
    }

    /// The rules of `cloud`, or the plan-time error that this build cannot manage
    /// resources there, on the `cloud` attribute.
    pub fn require(&self, cloud: Cloud) -> Result<&dyn CloudRules, Diagnostic> {
        self.for_cloud(cloud).ok_or_else(|| {
            let supported: Vec<&str> = self.all().map(|r| r.cloud().as_str()).collect();
            Diagnostic::error(
                format!("{cloud} is not supported yet"),
                format!(
                    "This version of mlcloud manages resources on {} only; {cloud} support is planned.",
                    supported.join(", ")
                ),
            )
            .at(AttributePath::attr("cloud"))
        })
    }
}
