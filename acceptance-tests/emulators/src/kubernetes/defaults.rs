//! The defaults the API server fills in, on every write (idempotent): what clients
//! read back and what a plan compares against.

use serde_json::{Value, json};

use super::kinds::Kind;

pub fn apply(kind: &Kind, object: &mut Value) {
    match kind.plural {
        "namespaces" => namespace(object),
        "deployments" => deployment(object),
        "daemonsets" => daemonset(object),
        "services" => service(object),
        _ => {}
    }
}

fn or_insert(object: &mut Value, field: &str, value: Value) {
    if object.get(field).is_none_or(Value::is_null) {
        object[field] = value;
    }
}

fn namespace(object: &mut Value) {
    let name = object["metadata"]["name"].clone();
    object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
    or_insert(&mut object["spec"], "finalizers", json!(["kubernetes"]));
    or_insert(&mut object["status"], "phase", json!("Active"));
}

fn deployment(object: &mut Value) {
    let spec = &mut object["spec"];
    or_insert(spec, "replicas", json!(1));
    or_insert(spec, "revisionHistoryLimit", json!(10));
    or_insert(spec, "progressDeadlineSeconds", json!(600));
    or_insert(
        spec,
        "strategy",
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
    );
    pod_template(&mut spec["template"]);
}

fn daemonset(object: &mut Value) {
    let spec = &mut object["spec"];
    or_insert(spec, "revisionHistoryLimit", json!(10));
    or_insert(
        spec,
        "updateStrategy",
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
    );
    pod_template(&mut spec["template"]);
}

fn pod_template(template: &mut Value) {
    if !template.is_object() {
        return;
    }
    let spec = &mut template["spec"];
    or_insert(spec, "restartPolicy", json!("Always"));
    or_insert(spec, "terminationGracePeriodSeconds", json!(30));
    or_insert(spec, "dnsPolicy", json!("ClusterFirst"));
    or_insert(spec, "schedulerName", json!("default-scheduler"));
    if let Some(containers) = spec["containers"].as_array_mut() {
        for container in containers {
            let latest = container["image"]
                .as_str()
                .is_some_and(|image| !image.contains(':') || image.ends_with(":latest"));
            or_insert(
                container,
                "imagePullPolicy",
                json!(if latest { "Always" } else { "IfNotPresent" }),
            );
            or_insert(
                container,
                "terminationMessagePath",
                json!("/dev/termination-log"),
            );
            or_insert(container, "terminationMessagePolicy", json!("File"));
            if let Some(ports) = container["ports"].as_array_mut() {
                for port in ports {
                    or_insert(port, "protocol", json!("TCP"));
                }
            }
        }
    }
}

fn service(object: &mut Value) {
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let spec = &mut object["spec"];
    or_insert(spec, "type", json!("ClusterIP"));
    or_insert(spec, "sessionAffinity", json!("None"));
    if spec["type"] != "ExternalName" {
        // Stable per name, so a write that leaves it out keeps it (clusterIP is immutable).
        let hash = name
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        or_insert(
            spec,
            "clusterIP",
            json!(format!("10.96.{}.{}", hash % 250 + 1, hash / 250 % 250 + 1)),
        );
        let ip = spec["clusterIP"].clone();
        or_insert(spec, "clusterIPs", json!([ip]));
        or_insert(spec, "ipFamilies", json!(["IPv4"]));
        or_insert(spec, "ipFamilyPolicy", json!("SingleStack"));
        or_insert(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if let Some(ports) = spec["ports"].as_array_mut() {
        for port in ports {
            or_insert(port, "protocol", json!("TCP"));
            let number = port["port"].clone();
            or_insert(port, "targetPort", number);
        }
    }
    or_insert(&mut object["status"], "loadBalancer", json!({}));
}
