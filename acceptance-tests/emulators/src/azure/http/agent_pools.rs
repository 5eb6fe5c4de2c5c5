//! `Microsoft.ContainerService/managedClusters/{c}/agentPools/{p}`: the checks AKS
//! makes on a pool (name pattern, enums, spot, autoscaling, taints, GPU driver,
//! versions, properties that cannot change), shared with the cluster's
//! `agentPoolProfiles`, and the pool routes (PUT 201/200 + `Azure-AsyncOperation`,
//! GET, DELETE 202/204, list).

use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::managed_clusters::{self, NAMESPACE};
use super::resource_groups::method_not_allowed;
use super::{ResourcePath, validate};
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::lro;
use crate::azure::model::{Kind, Resource, State};

const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
const SPOT_TAINT: &str = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";
const SPOT_LABEL: &str = "kubernetes.azure.com/scalesetpriority";

/// Properties AKS refuses to change on an existing pool.
const IMMUTABLE: &[(&str, &str)] = &[
    ("/vmSize", "vmSize"),
    ("/osType", "osType"),
    ("/scaleSetPriority", "scaleSetPriority"),
    ("/scaleSetEvictionPolicy", "scaleSetEvictionPolicy"),
    ("/availabilityZones", "availabilityZones"),
    ("/vnetSubnetID", "vnetSubnetID"),
    ("/maxPods", "maxPods"),
    ("/osDiskSizeGB", "osDiskSizeGB"),
    ("/osDiskType", "osDiskType"),
    ("/gpuProfile", "gpuProfile"),
    ("/gpuInstanceProfile", "gpuInstanceProfile"),
];

/// Checks a pool's properties as AKS does and fills in what AKS defaults;
/// `target` prefixes error targets (`properties.agentPoolProfiles[0].` for a
/// cluster's profile, empty for the pool route).
pub fn check_pool(
    properties: &mut Value,
    name: &str,
    target: &str,
    cluster_version: &str,
    existing: Option<&Value>,
    default_mode: &str,
) -> Result<(), ArmError> {
    if !validate::agent_pool_name_ok(name) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The value of parameter {target}name is invalid. Error details: The agent pool name '{name}' is invalid: it must start with a lowercase letter, contain only lowercase letters and numbers, and be 1-12 characters long (^[a-z][a-z0-9]{{0,11}}$). Please see https://aka.ms/aks-naming-rules for more details."),
        )
        .with_target(&format!("{target}name")));
    }
    let t = |field: &str| format!("{target}{field}");
    validate::enum_value(
        properties,
        "/mode",
        &t("mode"),
        &["System", "User", "Gateway"],
    )?;
    validate::enum_value(properties, "/osType", &t("osType"), &["Linux", "Windows"])?;
    validate::enum_value(
        properties,
        "/osSKU",
        &t("osSKU"),
        &[
            "Ubuntu",
            "AzureLinux",
            "AzureLinux3",
            "Ubuntu2204",
            "Ubuntu2404",
            "CBLMariner",
            "Windows2019",
            "Windows2022",
            "Windows2025",
            "WindowsAnnual",
        ],
    )?;
    validate::enum_value(
        properties,
        "/type",
        &t("type"),
        &[
            "VirtualMachineScaleSets",
            "AvailabilitySet",
            "VirtualMachines",
        ],
    )?;
    validate::enum_value(
        properties,
        "/scaleSetPriority",
        &t("scaleSetPriority"),
        &["Spot", "Regular"],
    )?;
    validate::enum_value(
        properties,
        "/scaleSetEvictionPolicy",
        &t("scaleSetEvictionPolicy"),
        &["Delete", "Deallocate"],
    )?;
    validate::enum_value(
        properties,
        "/osDiskType",
        &t("osDiskType"),
        &["Managed", "Ephemeral"],
    )?;
    validate::enum_value(
        properties,
        "/gpuProfile/driver",
        &t("gpuProfile.driver"),
        &["Install", "None"],
    )?;
    let p = properties
        .as_object_mut()
        .ok_or_else(|| ArmError::invalid_parameter(&t("properties"), "must be an object"))?;
    let mode = p
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or(default_mode)
        .to_string();
    p.insert("mode".into(), json!(mode));
    p.entry("osType").or_insert(json!("Linux"));
    p.entry("osSKU").or_insert(json!("Ubuntu"));
    p.entry("type").or_insert(json!("VirtualMachineScaleSets"));
    p.entry("vmSize").or_insert(json!("Standard_D4ds_v5"));
    p.entry("osDiskType").or_insert(json!("Managed"));
    p.entry("osDiskSizeGB").or_insert(json!(128));
    p.entry("maxPods").or_insert(json!(250));
    p.entry("enableAutoScaling").or_insert(json!(false));
    let spot = p.get("scaleSetPriority").and_then(Value::as_str) == Some("Spot");
    p.entry("scaleSetPriority").or_insert(json!("Regular"));
    let vm_size = p["vmSize"].as_str().unwrap_or_default().to_string();
    let gpu_size = is_gpu_size(&vm_size);
    if p.get("gpuProfile").is_some_and(|g| !g.is_null()) && !gpu_size {
        return Err(ArmError::invalid_parameter(
            &t("gpuProfile"),
            &format!(
                "gpuProfile can only be set on a GPU VM size (NC, ND, NV series); '{vm_size}' is not one"
            ),
        ));
    }
    if spot {
        if mode == "System" {
            return Err(ArmError::invalid_parameter(
                &t("scaleSetPriority"),
                "a System mode agent pool cannot use Spot priority; only User mode pools can",
            ));
        }
        p.entry("scaleSetEvictionPolicy").or_insert(json!("Delete"));
        p.entry("spotMaxPrice").or_insert(json!(-1));
    } else if p
        .get("scaleSetEvictionPolicy")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ArmError::invalid_parameter(
            &t("scaleSetEvictionPolicy"),
            "scaleSetEvictionPolicy can only be set when scaleSetPriority is Spot",
        ));
    }
    let autoscale = p["enableAutoScaling"] == json!(true);
    let count = p.get("count").and_then(Value::as_i64);
    if autoscale {
        let (Some(min), Some(max)) = (
            p.get("minCount").and_then(Value::as_i64),
            p.get("maxCount").and_then(Value::as_i64),
        ) else {
            return Err(ArmError::invalid_parameter(
                &t("minCount"),
                "minCount and maxCount are required when enableAutoScaling is true",
            ));
        };
        if min > max {
            return Err(ArmError::invalid_parameter(
                &t("minCount"),
                &format!("minCount ({min}) must be less than or equal to maxCount ({max})"),
            ));
        }
        let count = count.unwrap_or(min);
        if count < min || count > max {
            return Err(ArmError::invalid_parameter(
                &t("count"),
                &format!("count ({count}) must be between minCount ({min}) and maxCount ({max})"),
            ));
        }
        p.insert("count".into(), json!(count));
    } else {
        if p.get("minCount").is_some_and(|v| !v.is_null())
            || p.get("maxCount").is_some_and(|v| !v.is_null())
        {
            return Err(ArmError::invalid_parameter(
                &t("minCount"),
                "minCount and maxCount can only be set when enableAutoScaling is true",
            ));
        }
        let count = count.unwrap_or(1);
        let floor = if mode == "System" { 1 } else { 0 };
        if !(floor..=1000).contains(&count) {
            return Err(ArmError::invalid_parameter(
                &t("count"),
                &format!(
                    "count must be between {floor} and 1000 for a {mode} pool; it was {count}"
                ),
            ));
        }
        p.insert("count".into(), json!(count));
    }
    let mut taints: Vec<Value> = p
        .get("nodeTaints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for taint in &taints {
        check_taint(taint.as_str().unwrap_or_default(), &t("nodeTaints"))?;
    }
    let mut labels = p
        .get("nodeLabels")
        .filter(|l| l.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    if spot {
        if !taints.contains(&json!(SPOT_TAINT)) {
            taints.push(json!(SPOT_TAINT));
        }
        labels[SPOT_LABEL] = json!("spot");
    }
    p.insert("nodeTaints".into(), Value::Array(taints));
    p.insert("nodeLabels".into(), labels);
    // `orchestratorVersion` stays as asked; `currentOrchestratorVersion` is the patch
    // AKS picked. Unset: what the pool runs, or the control plane's for a new pool.
    let asked = p
        .get("orchestratorVersion")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let version = match &asked {
        Some(version) => managed_clusters::resolve_version(version, &t("orchestratorVersion"))?,
        None => existing
            .and_then(|e| {
                e["currentOrchestratorVersion"]
                    .as_str()
                    .or(e["orchestratorVersion"].as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| cluster_version.to_string()),
    };
    let requested = asked
        .or_else(|| existing.and_then(|e| e["orchestratorVersion"].as_str().map(str::to_string)))
        .unwrap_or_else(|| version.clone());
    if managed_clusters::minor(&version) > managed_clusters::minor(cluster_version) {
        return Err(ArmError::bad_request(
            "NodePoolMcVersionIncompatible",
            format!(
                "Node pool version {version} and control plane version {cluster_version} are incompatible. Minor version of node pool version {} is bigger than control plane version {}. For more information, please check https://aka.ms/aks/UpgradeVersionRules",
                managed_clusters::minor(&version),
                managed_clusters::minor(cluster_version)
            ),
        ));
    }
    p.insert("orchestratorVersion".into(), json!(requested));
    p.insert("currentOrchestratorVersion".into(), json!(version));
    p.insert(
        "nodeImageVersion".into(),
        json!("AKSUbuntu-2204gen2containerd-202611.05.0"),
    );
    p.insert("powerState".into(), json!({"code": "Running"}));
    p.remove("name");
    if let Some(existing) = existing {
        for (pointer, field) in IMMUTABLE {
            validate::unchanged(existing, properties, pointer, &t(field))?;
        }
    }
    Ok(())
}

fn check_taint(taint: &str, target: &str) -> Result<(), ArmError> {
    let valid = taint.rsplit_once(':').is_some_and(|(key_value, effect)| {
        let key = key_value.split('=').next().unwrap_or_default();
        TAINT_EFFECTS.contains(&effect) && !key.is_empty() && key_value.matches('=').count() <= 1
    });
    if valid {
        Ok(())
    } else {
        Err(ArmError::invalid_parameter(
            target,
            &format!(
                "taint '{taint}' is invalid; taints are 'key=value:Effect' with Effect one of NoSchedule, PreferNoSchedule, NoExecute"
            ),
        ))
    }
}

/// NC, ND and NV series carry GPUs.
pub fn is_gpu_size(vm_size: &str) -> bool {
    let lower = vm_size.to_ascii_lowercase();
    ["standard_nc", "standard_nd", "standard_nv"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

pub fn pool_body(id: &str, name: &str, properties: &Value) -> Value {
    json!({
        "id": id,
        "name": name,
        "type": Kind::AgentPool.arm_type(),
        "properties": properties,
    })
}

pub fn handle(
    state: &mut State,
    call: &Call,
    target: &ResourcePath,
) -> Result<Response<Bytes>, ArmError> {
    let api_version = managed_clusters::check_version(call, "managedClusters/agentPools")?;
    let cluster_name = target.pairs[1];
    let cluster_id = format!(
        "{}/providers/{NAMESPACE}/managedClusters/{cluster_name}",
        state.group_id(&target.group)
    );
    let Some(cluster) = state.get(&cluster_id).cloned() else {
        return Err(match call.method {
            Method::PUT => {
                ArmError::parent_not_found(&format!("{NAMESPACE}/managedClusters/{cluster_name}"))
            }
            _ => ArmError::resource_not_found(
                &format!("{NAMESPACE}/managedClusters"),
                cluster_name,
                &target.group,
            ),
        });
    };
    let Some(name) = target.pairs.get(3).copied() else {
        if call.method != Method::GET {
            return Err(method_not_allowed(&call.method));
        }
        let value: Vec<Value> = state
            .children(&cluster_id, Kind::AgentPool)
            .into_iter()
            .map(|r| r.body.clone())
            .collect();
        return Ok(arm_json(StatusCode::OK, &json!({ "value": value })));
    };
    let id = format!("{cluster_id}/agentPools/{name}");
    let location = cluster.body["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match call.method {
        Method::GET => state
            .get(&id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(|| {
                ArmError::resource_not_found(
                    &format!("{NAMESPACE}/managedClusters/agentPools"),
                    &format!("{cluster_name}/{name}"),
                    &target.group,
                )
            }),
        Method::PUT => {
            managed_clusters::not_busy(&cluster, "managed cluster")?;
            let existing = state.get(&id).cloned();
            if let Some(existing) = &existing {
                managed_clusters::not_busy(existing, "agent pool")?;
            }
            let request = call.json()?;
            let mut properties = request
                .get("properties")
                .cloned()
                .unwrap_or_else(|| json!({}));
            let cluster_version = cluster.properties()["currentKubernetesVersion"]
                .as_str()
                .or(cluster.properties()["kubernetesVersion"].as_str())
                .unwrap_or_default()
                .to_string();
            check_pool(
                &mut properties,
                name,
                "properties.",
                &cluster_version,
                existing.as_ref().map(|e| e.properties()),
                "User",
            )?;
            if existing
                .as_ref()
                .is_some_and(|e| e.properties()["mode"] == json!("System"))
                && properties["mode"] != json!("System")
            {
                ensure_other_system_pool(state, &cluster_id, name)?;
            }
            let created = existing.is_none();
            let operation_name = "agentPools.put";
            state.insert(Resource {
                id: id.clone(),
                kind: Kind::AgentPool,
                body: pool_body(&id, name, &properties),
                pending: None,
                created: existing.map(|e| e.created).unwrap_or_else(Instant::now),
            });
            let operation = state.begin(
                &id,
                if created { "Creating" } else { "Updating" },
                operation_name,
            );
            let body = state.get(&id).map(|r| r.body.clone()).unwrap_or_default();
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(lro::started(
                state,
                status,
                Some(&body),
                NAMESPACE,
                &location,
                &operation,
                &api_version,
            ))
        }
        Method::DELETE => {
            let Some(existing) = state.get(&id).cloned() else {
                let mut response = arm_json(StatusCode::NO_CONTENT, &Value::Null);
                *response.body_mut() = Bytes::new();
                return Ok(response);
            };
            managed_clusters::not_busy(&cluster, "managed cluster")?;
            if existing.properties()["mode"] == json!("System") {
                ensure_other_system_pool(state, &cluster_id, name)?;
            }
            let operation = state.begin(&id, "Deleting", "agentPools.delete");
            Ok(lro::started(
                state,
                StatusCode::ACCEPTED,
                None,
                NAMESPACE,
                &location,
                &operation,
                &api_version,
            ))
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

/// A cluster keeps at least one System pool.
fn ensure_other_system_pool(state: &State, cluster_id: &str, name: &str) -> Result<(), ArmError> {
    let others = state
        .children(cluster_id, Kind::AgentPool)
        .into_iter()
        .filter(|pool| pool.name() != name && pool.properties()["mode"] == json!("System"))
        .count();
    if others == 0 {
        return Err(ArmError::bad_request(
            "OperationNotAllowed",
            format!(
                "Cannot delete or change the mode of agent pool '{name}': it is the cluster's only System mode agent pool, and a cluster needs at least one."
            ),
        ));
    }
    Ok(())
}
