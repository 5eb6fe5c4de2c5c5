//! cloudkms v1: key rings, crypto keys, versions and the keys' IAM policies.

use bytes::Bytes;
use http::{Method, Response};
use serde_json::json;

use super::{ResourcePath, check_project, policy};
use crate::gcp::enums;
use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::request::GcpRequest;

pub fn handle(
    model: &mut Model,
    request: &GcpRequest,
    path: &ResourcePath,
) -> ApiResult<Response<Bytes>> {
    let no_route = || ApiError::no_route(&request.method, &request.path);
    let segments = path.strs();
    check_project(model, segments[1])?;
    let name = path.name();
    let verb = path.verb.as_deref();
    match (segments.len(), verb, &request.method) {
        // .../keyRings
        (5, None, &Method::POST) => {
            let id = request.param("keyRingId").unwrap_or_default();
            let parent = segments[..4].join("/");
            Ok(request.render(model.kms.create_key_ring(&parent, id)?, &[]))
        }
        (5, None, &Method::GET) => {
            let rings = model.kms.list_key_rings(&segments[..4].join("/"));
            let total = rings.len();
            Ok(request.render(json!({"keyRings": rings, "totalSize": total}), &[]))
        }
        // .../keyRings/{r}
        (6, None, &Method::GET) => Ok(request.render(model.kms.key_ring(&name)?, &[])),
        // .../keyRings/{r}/cryptoKeys
        (7, None, &Method::POST) if segments[6] == "cryptoKeys" => {
            let id = request.param("cryptoKeyId").unwrap_or_default();
            let skip = request.param("skipInitialVersionCreation") == Some("true");
            let body = request.json(enums::CRYPTO_KEY)?;
            let parent = segments[..6].join("/");
            let key = model.kms.create_crypto_key(&parent, id, body, skip)?;
            Ok(request.render(key, enums::CRYPTO_KEY))
        }
        (7, None, &Method::GET) if segments[6] == "cryptoKeys" => {
            let keys = model.kms.list_crypto_keys(&segments[..6].join("/"))?;
            let total = keys.len();
            Ok(request.render_list(
                json!({"cryptoKeys": keys, "totalSize": total}),
                "cryptoKeys",
                enums::CRYPTO_KEY,
            ))
        }
        // .../cryptoKeys/{k}
        (8, None, &Method::GET) => {
            Ok(request.render(model.kms.crypto_key(&name)?, enums::CRYPTO_KEY))
        }
        (8, None, &Method::PATCH) => {
            let body = request.json(enums::CRYPTO_KEY)?;
            let mask = request.param("updateMask").unwrap_or_default().to_string();
            let key = model.kms.patch_crypto_key(&name, &body, &mask)?;
            Ok(request.render(key, enums::CRYPTO_KEY))
        }
        (8, Some(verb @ ("getIamPolicy" | "setIamPolicy")), _) => {
            model.kms.crypto_key(&name)?;
            policy::handle(model, request, &name, verb)
        }
        (6, Some(verb @ ("getIamPolicy" | "setIamPolicy")), _) => {
            model.kms.key_ring(&name)?;
            policy::handle(model, request, &name, verb)
        }
        // .../cryptoKeys/{k}/cryptoKeyVersions
        (9, None, &Method::GET) if segments[8] == "cryptoKeyVersions" => {
            let versions = model.kms.versions(&segments[..8].join("/"))?;
            let total = versions.len();
            Ok(request.render_list(
                json!({"cryptoKeyVersions": versions, "totalSize": total}),
                "cryptoKeyVersions",
                enums::CRYPTO_KEY_VERSION,
            ))
        }
        // .../cryptoKeyVersions/{v}
        (10, None, &Method::GET) => {
            Ok(request.render(model.kms.version(&name)?, enums::CRYPTO_KEY_VERSION))
        }
        (10, Some("destroy"), &Method::POST) => {
            Ok(request.render(model.kms.destroy_version(&name)?, enums::CRYPTO_KEY_VERSION))
        }
        _ => Err(no_route()),
    }
}
