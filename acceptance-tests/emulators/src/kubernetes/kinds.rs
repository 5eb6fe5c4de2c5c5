//! The resource types this API server serves, as discovery lists them and as paths
//! name them (`/api/v1/namespaces/{ns}/pods`, `/apis/apps/v1/deployments`).

/// One served resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// API group; `""` is the core group served under `/api`.
    pub group: &'static str,
    pub version: &'static str,
    /// The path segment (`deployments`).
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    /// Whether `{plural}/status` is a subresource: the main resource's writes then
    /// keep `status`, and `/status` writes keep everything else.
    pub has_status: bool,
    /// Whether writes to `spec` bump `metadata.generation`.
    pub has_spec: bool,
    /// Pods are made by the emulator's controllers only (see the README).
    pub client_creatable: bool,
    pub short_names: &'static [&'static str],
}

impl Kind {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// How messages name the resource: `deployments.apps`, `pods`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The `kind` of its list (`DeploymentList`).
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
}

#[allow(clippy::too_many_arguments)] // a table row, read with the KINDS table
const fn kind(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    has_status: bool,
    short_names: &'static [&'static str],
) -> Kind {
    Kind {
        group,
        version,
        plural,
        singular,
        kind,
        namespaced,
        has_status,
        has_spec: has_status,
        client_creatable: true,
        short_names,
    }
}

/// Every served type.
pub const KINDS: &[Kind] = &[
    kind(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        true,
        &["ns"],
    ),
    kind(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        false,
        &["sa"],
    ),
    kind("", "v1", "nodes", "node", "Node", false, true, &["no"]),
    Kind {
        client_creatable: false,
        ..kind("", "v1", "pods", "pod", "Pod", true, true, &["po"])
    },
    kind("", "v1", "events", "event", "Event", true, false, &["ev"]),
    kind(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        true,
        &["svc"],
    ),
    kind(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        true,
        &["deploy"],
    ),
    kind(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        true,
        &["ds"],
    ),
    kind(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        true,
        &["hpa"],
    ),
    kind(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        true,
        &["pdb"],
    ),
    Kind {
        has_spec: true,
        ..kind(
            "networking.k8s.io",
            "v1",
            "networkpolicies",
            "networkpolicy",
            "NetworkPolicy",
            true,
            false,
            &["netpol"],
        )
    },
    // RBAC objects hold `rules` / `roleRef` and `subjects`, no spec and no status
    // (validated in `rbac.rs`).
    kind(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        false,
        &[],
    ),
    kind(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        false,
        &[],
    ),
    kind(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        false,
        &[],
    ),
    kind(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        false,
        &[],
    ),
];

/// The type a path names: group (`""` for `/api`), version and plural.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.group == group && k.version == version && k.plural == plural)
}

/// The type of a `kind` name (for owner references and apply bodies).
pub fn by_kind(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The groups other than core, with their one served version, in discovery order.
pub fn groups() -> Vec<(&'static str, &'static str)> {
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for k in KINDS.iter().filter(|k| !k.group.is_empty()) {
        if !groups.contains(&(k.group, k.version)) {
            groups.push((k.group, k.version));
        }
    }
    groups
}
