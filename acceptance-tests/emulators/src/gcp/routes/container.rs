//! container v1: clusters, node pools and their operations. The checks that need
//! other services live here: a node pool's service account must exist, and database
//! encryption needs the project's GKE service agent to hold
//! `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, and a boot-disk key
//! (`config.bootDiskKmsKey`) needs the Compute Engine service agent to hold it.

use bytes::Bytes;
use http::{Method, Response};
use serde_json::{Value, json};

use super::{ResourcePath, check_project};
use crate::gcp::GcpPart;
use crate::gcp::enums;
use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::model::container::Context;
use crate::gcp::request::GcpRequest;

const ENCRYPTER_DECRYPTER: &str = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

pub fn handle(
    part: &GcpPart,
    model: &mut Model,
    request: &GcpRequest,
    path: &ResourcePath,
) -> ApiResult<Response<Bytes>> {
    let no_route = || ApiError::no_route(&request.method, &request.path);
    let segments = path.strs();
    check_project(model, segments[1])?;
    model.container.settle();
    let name = path.name();
    let project = model.project.clone();
    let mut context = Context {
        project: &project,
        delay: part.operation_delay,
        ca_pem: &part.ca_pem,
        api_endpoint: None,
    };
    let operation = |value: Value| Ok(request.render(value, enums::OPERATION));
    let verb = path.verb.as_deref();
    match (segments[4], segments.len(), verb, &request.method) {
        ("operations", 5, None, &Method::GET) => {
            let operations = model.container.list_operations(&segments[..4].join("/"));
            Ok(request.render_list(
                json!({"operations": operations}),
                "operations",
                enums::OPERATION,
            ))
        }
        ("operations", 6, None, &Method::GET) => operation(model.container.operation(&name)?),
        ("clusters", 5, None, &Method::POST) => {
            let body = request.json_within("cluster", enums::CLUSTER)?;
            let cluster = body
                .get("cluster")
                .cloned()
                .ok_or_else(|| ApiError::invalid_argument("cluster is required."))?;
            let parent = segments[..4].join("/");
            check_cluster_dependencies(model, &parent, &cluster)?;
            let full = format!(
                "{parent}/clusters/{}",
                cluster["name"].as_str().unwrap_or_default()
            );
            context.api_endpoint = part.serve_kubernetes(&full);
            operation(model.container.create_cluster(&context, &parent, cluster)?)
        }
        ("clusters", 5, None, &Method::GET) => {
            let clusters = model.container.list_clusters(&segments[..4].join("/"));
            Ok(request.render_list(json!({"clusters": clusters}), "clusters", enums::CLUSTER))
        }
        ("clusters", 6, None, &Method::GET) => {
            Ok(request.render(model.container.cluster(&name)?, enums::CLUSTER))
        }
        ("clusters", 6, None, &Method::PUT) => {
            let body = request.json_within("update", enums::CLUSTER_UPDATE)?;
            let update = body.get("update").cloned().unwrap_or_else(|| json!({}));
            if let Some(encryption) = update.get("desiredDatabaseEncryption") {
                check_database_encryption(model, &name, encryption)?;
            }
            operation(model.container.update_cluster(&context, &name, &update)?)
        }
        ("clusters", 6, Some("setResourceLabels"), &Method::POST) => {
            let body = request.json(&[])?;
            operation(
                model
                    .container
                    .set_resource_labels(&context, &name, &body)?,
            )
        }
        ("clusters", 6, None, &Method::DELETE) => {
            operation(model.container.delete_cluster(&context, &name)?)
        }
        ("clusters", 7, None, &Method::POST) if segments[6] == "nodePools" => {
            let body = request.json_within("nodePool", enums::NODE_POOL)?;
            let pool = body
                .get("nodePool")
                .cloned()
                .ok_or_else(|| ApiError::invalid_argument("node_pool is required."))?;
            check_pool_account(model, &pool)?;
            check_boot_disk_key(model, &pool)?;
            let cluster = segments[..6].join("/");
            operation(model.container.create_pool(&context, &cluster, pool)?)
        }
        ("clusters", 7, None, &Method::GET) if segments[6] == "nodePools" => {
            let pools = model.container.list_pools(&segments[..6].join("/"))?;
            Ok(request.render_list(json!({"nodePools": pools}), "nodePools", enums::NODE_POOL))
        }
        ("clusters", 8, None, &Method::GET) => {
            Ok(request.render(model.container.pool(&name)?, enums::NODE_POOL))
        }
        ("clusters", 8, None, &Method::PUT) => {
            let body = request.json(enums::NODE_POOL_UPDATE)?;
            operation(model.container.update_pool(&context, &name, &body)?)
        }
        ("clusters", 8, Some("setSize"), &Method::POST) => {
            let body = request.json(&[])?;
            let count = body["nodeCount"].as_i64().unwrap_or(0);
            operation(model.container.set_size(&context, &name, count)?)
        }
        ("clusters", 8, Some("setAutoscaling"), &Method::POST) => {
            let body = request.json_within("autoscaling", enums::AUTOSCALING)?;
            let autoscaling = body
                .get("autoscaling")
                .cloned()
                .unwrap_or_else(|| json!({}));
            operation(
                model
                    .container
                    .set_autoscaling(&context, &name, &autoscaling)?,
            )
        }
        ("clusters", 8, None, &Method::DELETE) => {
            operation(model.container.delete_pool(&context, &name)?)
        }
        _ => Err(no_route()),
    }
}

/// A cluster's pools run as existing service accounts, and its database-encryption
/// key must be usable by the GKE service agent.
fn check_cluster_dependencies(model: &Model, parent: &str, cluster: &Value) -> ApiResult<()> {
    for pool in cluster["nodePools"].as_array().into_iter().flatten() {
        check_pool_account(model, pool)?;
        check_boot_disk_key(model, pool)?;
    }
    if cluster.get("nodeConfig").is_some() {
        check_pool_account(model, &json!({"config": cluster["nodeConfig"]}))?;
    }
    let name = format!(
        "{parent}/clusters/{}",
        cluster["name"].as_str().unwrap_or_default()
    );
    check_database_encryption(model, &name, &cluster["databaseEncryption"])
}

fn check_pool_account(model: &Model, pool: &Value) -> ApiResult<()> {
    match pool["config"]["serviceAccount"].as_str() {
        Some(email) if email != "default" && !model.member_exists(email) => Err(
            ApiError::invalid_argument(format!("Service account \"{email}\" does not exist.")),
        ),
        _ => Ok(()),
    }
}

/// Compute Engine makes the nodes' boot disks with the key, so its service agent must
/// be able to use it.
fn check_boot_disk_key(model: &Model, pool: &Value) -> ApiResult<()> {
    let Some(key) = pool["config"]["bootDiskKmsKey"]
        .as_str()
        .filter(|k| !k.is_empty())
    else {
        return Ok(());
    };
    if !model.kms.key_exists(key) {
        return Err(ApiError::invalid_argument(format!(
            "Cloud KMS key \"{key}\" for the boot disks of node pool \"{}\" was not found.",
            pool["name"].as_str().unwrap_or_default()
        )));
    }
    let agent = model.project.compute_service_agent();
    if !model.policies.has_binding(key, ENCRYPTER_DECRYPTER, &agent) {
        let email = agent.trim_start_matches("serviceAccount:");
        return Err(ApiError::failed_precondition(format!(
            "Cloud KMS key \"{key}\" cannot encrypt the boot disks of node pool \"{}\": the Compute Engine Service Agent {email} needs permission cloudkms.cryptoKeyVersions.useToEncrypt (role {ENCRYPTER_DECRYPTER}) on it.",
            pool["name"].as_str().unwrap_or_default()
        )));
    }
    Ok(())
}

fn check_database_encryption(model: &Model, cluster: &str, encryption: &Value) -> ApiResult<()> {
    if encryption["state"] != "ENCRYPTED" {
        return Ok(());
    }
    let key = encryption["keyName"].as_str().unwrap_or_default();
    if key.is_empty() {
        return Err(ApiError::invalid_argument(
            "Cluster.database_encryption.key_name must be set when state is ENCRYPTED.",
        ));
    }
    // The key lives where the cluster does (a zonal cluster: the zone's region).
    let region = |location: &str| match location.rsplit_once('-') {
        Some((region, zone)) if zone.len() == 1 => region.to_string(),
        _ => location.to_string(),
    };
    let key_location = key.split('/').nth(3).unwrap_or_default();
    let cluster_location = cluster.split('/').nth(3).unwrap_or_default();
    if key_location != region(cluster_location) {
        return Err(ApiError::invalid_argument(format!(
            "Cloud KMS key \"{key}\" is in location \"{key_location}\"; the key for cluster \"{cluster}\" must be in \"{}\".",
            region(cluster_location)
        )));
    }
    if !model.kms.key_exists(key) {
        return Err(ApiError::invalid_argument(format!(
            "Cloud KMS key \"{key}\" for database encryption of cluster \"{cluster}\" was not found."
        )));
    }
    let agent = model.project.gke_service_agent();
    if !model.policies.has_binding(key, ENCRYPTER_DECRYPTER, &agent) {
        let email = agent.trim_start_matches("serviceAccount:");
        return Err(ApiError::failed_precondition(format!(
            "Cloud KMS key \"{key}\" cannot be used for application-layer secrets encryption: the Kubernetes Engine Service Agent {email} needs permission cloudkms.cryptoKeyVersions.useToEncrypt (role {ENCRYPTER_DECRYPTER}) on it."
        )));
    }
    Ok(())
}
