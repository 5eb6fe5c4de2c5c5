//! Server and model metadata, and per-model readiness.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::oip::{self, ModelMetadata};
use crate::state::AppState;

/// How long `GET /v2` waits for a still-running accelerator probe before answering
/// without it; on a machine without a GPU the probe takes microseconds.
const ACCELERATOR_WAIT: Duration = Duration::from_secs(5);

/// Name the server reports in `GET /v2`.
pub const SERVER_NAME: &str = "mlcloud-smoke";
/// Protocol extensions: this server adds `GET /v2/smoke`.
pub const EXTENSIONS: [&str; 1] = ["mlcloud_smoke"];

/// `GET /v2`: name, version, extensions, plus the accelerators this container sees.
pub async fn server(State(state): State<AppState>) -> Json<Value> {
    let accelerators = match state.accelerators.wait(ACCELERATOR_WAIT).await {
        Some(report) => json!(*report),
        None => json!({
            "gpu_visible": null,
            "summary": "accelerator probe still running; see GET /v2/smoke"
        }),
    };
    Json(json!({
        "name": SERVER_NAME,
        "version": env!("CARGO_PKG_VERSION"),
        "extensions": EXTENSIONS,
        "accelerators": accelerators,
    }))
}

/// `GET /v2/models/{name}`.
pub async fn model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ModelMetadata>, ApiError> {
    check_model(&state, &name, None)?;
    Ok(Json(oip::model_metadata(&name, &state.model)))
}

/// `GET /v2/models/{name}/versions/{version}`.
pub async fn model_version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Json<ModelMetadata>, ApiError> {
    check_model(&state, &name, Some(&version))?;
    Ok(Json(oip::model_metadata(&name, &state.model)))
}

/// `GET /v2/models/{name}/ready`: 200 while the server is ready, 404 for another model.
pub async fn model_ready(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    check_model(&state, &name, None)?;
    Ok(Json(
        json!({"name": name, "ready": state.readiness.is_ready()}),
    ))
}

/// `GET /v2/models/{name}/versions/{version}/ready`.
pub async fn model_version_ready(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    check_model(&state, &name, Some(&version))?;
    Ok(Json(
        json!({"name": name, "ready": state.readiness.is_ready()}),
    ))
}

/// 404 unless `name` (and `version`, when given) is the model this server serves.
pub fn check_model(state: &AppState, name: &str, version: Option<&str>) -> Result<(), ApiError> {
    if name != state.config.model_name {
        return Err(ApiError::UnknownModel {
            requested: name.to_owned(),
            served: state.config.model_name.clone(),
        });
    }
    match version {
        Some(requested) if requested != state.model.version() => Err(ApiError::UnknownVersion {
            model: name.to_owned(),
            requested: requested.to_owned(),
            available: state.model.version().to_owned(),
        }),
        _ => Ok(()),
    }
}
