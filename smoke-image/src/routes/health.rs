//! `GET /v2/health/live` and `GET /v2/health/ready`. As the protocol specifies, the
//! status code is the answer and the body is empty.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// Alive as long as the process can answer at all.
pub async fn live() -> StatusCode {
    StatusCode::OK
}

/// Ready from start-up (the model is compiled in) until SIGTERM starts the drain; the
/// protocol wants a 4xx for "not ready", so draining answers 400.
pub async fn ready(State(state): State<AppState>) -> StatusCode {
    if state.readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}
