//! The scheduler: a pending pod goes to a Ready node that matches its
//! `nodeSelector`, tolerates the node's `NoSchedule`/`NoExecute` taints, and has
//! the requested resources free (cpu, memory, `nvidia.com/gpu`, `google.com/tpu`,
//! any other extended resource). Otherwise the scheduler's message says why, per
//! node, as kube-scheduler counts it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::quantity;
use super::selectors::LabelSelector;

/// What a pod asks for, by resource name, in thousandths.
pub fn requests(pod_spec: &Value) -> BTreeMap<String, u128> {
    let mut total = BTreeMap::new();
    for container in pod_spec["containers"].as_array().into_iter().flatten() {
        let resources = &container["resources"];
        // Limits stand in for requests when only limits are given (extended
        // resources must be set as limits).
        let mut asked: BTreeMap<String, u128> = BTreeMap::new();
        for source in ["limits", "requests"] {
            for (name, value) in resources[source].as_object().into_iter().flatten() {
                asked.insert(name.clone(), quantity::of(value));
            }
        }
        for (name, milli) in asked {
            *total.entry(name).or_insert(0) += milli;
        }
    }
    total
}

/// Whether `tolerations` tolerate `taint`.
pub fn tolerates(tolerations: &Value, taint: &Value) -> bool {
    if taint["effect"] == "PreferNoSchedule" {
        return true;
    }
    tolerations
        .as_array()
        .into_iter()
        .flatten()
        .any(|toleration| {
            let effect_ok = toleration["effect"].as_str().is_none_or(str::is_empty)
                || toleration["effect"] == taint["effect"];
            let key_ok = toleration["key"].as_str().is_none_or(str::is_empty)
                || toleration["key"] == taint["key"];
            let value_ok = toleration["operator"] == "Exists"
                || toleration["value"].as_str().unwrap_or_default()
                    == taint["value"].as_str().unwrap_or_default();
            effect_ok && key_ok && value_ok
        })
}

/// Whether the pod could run on `node` at all (selector and taints; resources aside).
pub fn fits_node(pod_spec: &Value, node: &Value) -> Result<(), String> {
    let selector = LabelSelector::from_map(&pod_spec["nodeSelector"]);
    if !selector.matches(&node["metadata"]["labels"]) {
        return Err("node(s) didn't match Pod's node affinity/selector".into());
    }
    for taint in node["spec"]["taints"].as_array().into_iter().flatten() {
        if !tolerates(&pod_spec["tolerations"], taint) {
            let value = taint["value"].as_str().unwrap_or_default();
            return Err(format!(
                "node(s) had untolerated taint {{{}: {value}}}",
                taint["key"].as_str().unwrap_or_default()
            ));
        }
    }
    if node["spec"]["unschedulable"] == true {
        return Err("node(s) were unschedulable".into());
    }
    let ready = node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    if !ready {
        return Err("node(s) had untolerated taint {node.kubernetes.io/not-ready: }".into());
    }
    Ok(())
}

/// Places a pod: the first node (by name) where it fits, or the scheduler's message.
/// `used` is what the pods already on each node request.
pub fn place(
    pod_spec: &Value,
    nodes: &[&Value],
    used: &BTreeMap<String, BTreeMap<String, u128>>,
) -> Result<String, String> {
    if nodes.is_empty() {
        return Err("no nodes available to schedule pods".into());
    }
    let asked = requests(pod_spec);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for node in nodes {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        if let Err(reason) = fits_node(pod_spec, node) {
            *reasons.entry(reason).or_insert(0) += 1;
            continue;
        }
        let mut short = Vec::new();
        for (resource, milli) in &asked {
            if *milli == 0 {
                continue;
            }
            let allocatable = quantity::of(&node["status"]["allocatable"][resource.as_str()]);
            let taken = used
                .get(name)
                .and_then(|u| u.get(resource))
                .copied()
                .unwrap_or(0);
            if taken + milli > allocatable {
                short.push(format!("Insufficient {resource}"));
            }
        }
        if short.is_empty() {
            return Ok(name.to_string());
        }
        for reason in short {
            *reasons.entry(reason).or_insert(0) += 1;
        }
    }
    let listed: Vec<String> = reasons
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    Err(format!(
        "0/{} nodes are available: {}. preemption: 0/{} nodes are available: {} No preemption victims found for incoming pod.",
        nodes.len(),
        listed.join(", "),
        nodes.len(),
        nodes.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, gpus: &str, taint: Option<Value>) -> Value {
        let mut node = json!({"metadata": {"name": name, "labels": {"pool": "gpu"}},
            "spec": {},
            "status": {"allocatable": {"cpu": "3900m", "memory": "15Gi", "nvidia.com/gpu": gpus},
                "conditions": [{"type": "Ready", "status": "True"}]}});
        if let Some(taint) = taint {
            node["spec"]["taints"] = json!([taint]);
        }
        node
    }

    #[test]
    fn insufficient_gpus_are_counted_per_node_as_the_scheduler_says() {
        let nodes = [
            node("a", "0", None),
            node("b", "0", None),
            node("c", "0", None),
        ];
        let refs: Vec<&Value> = nodes.iter().collect();
        let pod = json!({"containers": [{"resources": {"limits": {"nvidia.com/gpu": "1"}}}]});
        let message = place(&pod, &refs, &BTreeMap::new()).unwrap_err();
        assert!(
            message.starts_with("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."),
            "{message}"
        );
    }

    #[test]
    fn taints_need_tolerations_and_selectors_must_match() {
        let taint = json!({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"});
        let nodes = [node("a", "1", Some(taint))];
        let refs: Vec<&Value> = nodes.iter().collect();
        let pod = json!({"containers": [{"resources": {"limits": {"nvidia.com/gpu": "1"}}}]});
        let message = place(&pod, &refs, &BTreeMap::new()).unwrap_err();
        assert!(
            message.contains("1 node(s) had untolerated taint {nvidia.com/gpu: present}"),
            "{message}"
        );
        let tolerant = json!({"containers": [{"resources": {"limits": {"nvidia.com/gpu": "1"}}}],
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "nodeSelector": {"pool": "gpu"}});
        assert_eq!(place(&tolerant, &refs, &BTreeMap::new()), Ok("a".into()));
        let used = BTreeMap::from([(
            "a".to_string(),
            BTreeMap::from([("nvidia.com/gpu".to_string(), 1000)]),
        )]);
        assert!(
            place(&tolerant, &refs, &used).is_err(),
            "the one GPU is taken"
        );
        let elsewhere = json!({"containers": [], "nodeSelector": {"pool": "cpu"},
            "tolerations": [{"operator": "Exists"}]});
        assert!(
            place(&elsewhere, &refs, &BTreeMap::new())
                .unwrap_err()
                .contains("didn't match Pod's node affinity/selector")
        );
    }
}
