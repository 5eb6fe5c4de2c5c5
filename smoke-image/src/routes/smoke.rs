//! `GET /v2/smoke`: see [`crate::smoke_check`].

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::smoke_check::{self, SmokeResult};
use crate::state::AppState;

/// A cold GPU can take several seconds to initialise; past this the check is reported
/// as not finished rather than hanging the caller.
const ACCELERATOR_WAIT: Duration = Duration::from_secs(60);

/// 200 with the result when it passed, 503 with the result when it did not, so a plain
/// HTTP check (curl -f, a Kubernetes probe) can use it without parsing.
pub async fn smoke(
    State(state): State<AppState>,
) -> Result<Json<SmokeResult>, (StatusCode, Json<serde_json::Value>)> {
    let started = Instant::now();
    let Some(report) = state.accelerators.wait(ACCELERATOR_WAIT).await else {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "error": "the accelerator check has not finished; try again"
            })),
        ));
    };
    let result = smoke_check::run(&state.model, (*report).clone(), started);
    if result.passed {
        Ok(Json(result))
    } else {
        Err((
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::to_value(result).unwrap_or_default()),
        ))
    }
}
