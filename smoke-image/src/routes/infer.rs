//! `POST /v2/models/{name}[/versions/{version}]/infer`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};

use super::metadata::check_model;
use crate::api_error::ApiError;
use crate::model::Prediction;
use crate::oip::{self, InferRequest, InferResponse};
use crate::state::AppState;

pub async fn infer(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InferResponse>, ApiError> {
    check_model(&state, &name, None)?;
    score(&state, name, body)
}

pub async fn infer_version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InferResponse>, ApiError> {
    check_model(&state, &name, Some(&version))?;
    score(&state, name, body)
}

/// Reads the body ourselves rather than through `Json<T>` so that every failure (too
/// large, not JSON, wrong shape) gets the protocol's `{"error": ...}` body.
fn score(
    state: &AppState,
    model_name: String,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<InferResponse>, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::from_body_rejection(rejection, state.config.max_body_bytes)
    })?;
    let request: InferRequest =
        serde_json::from_slice(&body).map_err(|error| ApiError::InvalidJson(error.to_string()))?;
    let request = oip::validate(request)?;

    let predictions: Vec<Prediction> = request
        .rows
        .iter()
        .map(|row| state.model.predict(*row))
        .collect();
    state
        .metrics
        .record_predictions(predictions.iter().map(|p| p.class_index));

    Ok(Json(InferResponse {
        model_name,
        model_version: state.model.version().to_owned(),
        id: request.id,
        outputs: oip::render_outputs(&state.model, &predictions, &request.outputs),
    }))
}
