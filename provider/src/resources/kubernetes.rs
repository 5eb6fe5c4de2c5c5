//! Kubernetes' own syntax rules for names mlcloud passes into a cluster: namespaces,
//! service accounts, node labels and taints. They hold on every cloud, so resources
//! check them in `check_neutral`; the API server would refuse the same values later,
//! long after the plan, so a plan-time error saves a half-applied stack.
//!
//! Each check returns what is wrong and what would be right, for a diagnostic's detail.

/// Longest RFC 1123 label (a namespace, a label name, a label value).
const LABEL_MAX: usize = 63;
/// Longest RFC 1123 subdomain (a service account, a label key's prefix).
const SUBDOMAIN_MAX: usize = 253;

/// Label-key prefixes Kubernetes keeps for its own components (and their subdomains).
const RESERVED_PREFIXES: [&str; 2] = ["kubernetes.io", "k8s.io"];
/// The subdomains of those that kubelet lets a node label itself with (its
/// `--node-labels`, which is how a node pool's labels reach the node).
const NODE_PREFIXES: [&str; 2] = ["node.kubernetes.io", "kubelet.kubernetes.io"];

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// Starts and ends with a character `edge` accepts; every character `inner` accepts.
fn shaped(s: &str, edge: impl Fn(char) -> bool, inner: impl Fn(char) -> bool) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().last()) else {
        return false;
    };
    edge(first) && edge(last) && s.chars().all(inner)
}

fn is_dns_label(s: &str) -> bool {
    s.len() <= LABEL_MAX && shaped(s, alnum_lower, |c| alnum_lower(c) || c == '-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= SUBDOMAIN_MAX && s.split('.').all(is_dns_label)
}

/// A namespace is an RFC 1123 label.
pub fn check_namespace(s: &str) -> Result<(), String> {
    if is_dns_label(s) {
        return Ok(());
    }
    Err(format!(
        "A Kubernetes namespace must be 1 to {LABEL_MAX} lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. \"ml-serving\"); got \"{s}\"."
    ))
}

/// A service account's name is an RFC 1123 subdomain.
pub fn check_service_account(s: &str) -> Result<(), String> {
    if is_dns_subdomain(s) {
        return Ok(());
    }
    Err(format!(
        "A Kubernetes service account name must be 1 to {SUBDOMAIN_MAX} lowercase letters, digits, '-' or '.', each '.'-separated part starting and ending with a letter or digit (e.g. \"trainer\"); got \"{s}\"."
    ))
}

/// The name part of a label key, and every non-empty label value.
fn is_label_name(s: &str) -> bool {
    s.len() <= LABEL_MAX
        && shaped(
            s,
            |c| c.is_ascii_alphanumeric(),
            |c| c.is_ascii_alphanumeric() || "-_.".contains(c),
        )
}

/// A node label's key: the syntax of [`check_label_key`], and not under a prefix
/// Kubernetes reserves (`kubernetes.io/`, `k8s.io/` and their subdomains, except the
/// node ones kubelet accepts): kubelet refuses to start with such a label, so the
/// nodes would never join.
pub fn check_node_label_key(key: &str) -> Result<(), String> {
    check_label_key("label", key)?;
    let Some((prefix, name)) = key.split_once('/') else {
        return Ok(());
    };
    let under = |domain: &str| prefix == domain || prefix.ends_with(&format!(".{domain}"));
    if NODE_PREFIXES.contains(&prefix) {
        return Ok(());
    }
    match RESERVED_PREFIXES.iter().find(|r| under(r)) {
        Some(reserved) => Err(format!(
            "The label key \"{key}\" is under \"{reserved}/\", which Kubernetes reserves for its own components (only \"{}/\" and \"{}/\" may be set on nodes); use your own prefix (e.g. \"example.com/{name}\") or none.",
            NODE_PREFIXES[0], NODE_PREFIXES[1]
        )),
        None => Ok(()),
    }
}

/// `[prefix/]name`: the prefix a DNS subdomain, the name up to 63 letters, digits,
/// '-', '_' or '.', starting and ending with a letter or digit. `what` names the key's
/// owner in the message ("label", "taint").
pub fn check_label_key(what: &str, key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Err(format!(
            "The {what} key \"{key}\" has an invalid prefix \"{p}\": a prefix is a DNS subdomain of up to {SUBDOMAIN_MAX} lowercase letters, digits, '-' or '.' (e.g. \"example.com/gpu-type\")."
        ));
    }
    if is_label_name(name) {
        return Ok(());
    }
    Err(format!(
        "The {what} key \"{key}\" is invalid: its name (after an optional \"prefix/\") must be 1 to {LABEL_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. \"gpu-type\")."
    ))
}

/// Empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending with a
/// letter or digit.
pub fn check_label_value(what: &str, key: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        return Ok(());
    }
    Err(format!(
        "The {what} \"{key}\" has an invalid value \"{value}\": a value is empty or 1 to {LABEL_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. \"a100\")."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_dns_labels() {
        for ok in ["default", "ml-serving", "a", "0x1", &"a".repeat(63)] {
            assert!(check_namespace(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ML",
            "ml_serving",
            "-ml",
            "ml-",
            "ml.serving",
            &"a".repeat(64),
        ] {
            assert!(check_namespace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_accounts_are_dns_subdomains() {
        for ok in ["trainer", "a.b-c.d", &"a".repeat(63)] {
            assert!(check_service_account(ok).is_ok(), "{ok}");
        }
        let long = vec!["a".repeat(63); 4].join(".");
        for bad in ["", "Trainer", "a..b", ".a", "a.", "a_b", "a.-b", &long] {
            assert!(check_service_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn label_keys_have_a_subdomain_prefix_and_a_name() {
        for ok in [
            "gpu",
            "team_A.x",
            "example.com/gpu-type",
            "node.example.io/Z9",
        ] {
            assert!(check_label_key("label", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/gpu",
            "example.com/",
            "a/b/c",
            "Example.com/x",
            "-gpu",
            "gpu.",
            "a b",
        ] {
            assert!(check_label_key("label", bad).is_err(), "{bad}");
        }
        assert!(check_label_key("label", &"a".repeat(64)).is_err());
    }

    #[test]
    fn kubernetes_prefixes_are_refused_on_node_labels() {
        for bad in [
            "kubernetes.io/role",
            "topology.kubernetes.io/zone",
            "k8s.io/x",
            "x.k8s.io/y",
        ] {
            let e = check_node_label_key(bad).unwrap_err();
            assert!(e.contains("reserves"), "{bad}: {e}");
        }
        for ok in ["node.kubernetes.io/pool", "kubelet.kubernetes.io/x", "gpu"] {
            assert!(check_node_label_key(ok).is_ok(), "{ok}");
        }
        // Only whole DNS labels count: "notkubernetes.io" is someone else's domain.
        assert!(check_node_label_key("notkubernetes.io/x").is_ok());
        // Taints are not node labels: Kubernetes' own taint keys are legal there.
        assert!(check_label_key("taint", "node.cilium.io/agent-not-ready").is_ok());
    }

    #[test]
    fn label_values_are_empty_or_names() {
        for ok in ["", "a100", "A.b_c-d"] {
            assert!(check_label_value("label", "k", ok).is_ok(), "{ok}");
        }
        for bad in ["-a", "a-", "a b", "a/b", &"a".repeat(64)] {
            assert!(check_label_value("label", "k", bad).is_err(), "{bad}");
        }
    }
}
