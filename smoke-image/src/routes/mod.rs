//! The HTTP surface: Open Inference Protocol v2 routes, the smoke check and metrics.

mod fallback;
mod health;
mod infer;
mod instrument;
mod metadata;
mod metrics;
mod smoke;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use crate::state::AppState;

/// The server's whole router. Every route, the 404/405 fallbacks included, is counted
/// in the metrics and answers errors with a JSON body.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/v2/health/live", get(health::live))
        .route("/v2/health/ready", get(health::ready))
        .route("/v2", get(metadata::server))
        .route("/v2/models/{name}", get(metadata::model))
        .route("/v2/models/{name}/ready", get(metadata::model_ready))
        .route(
            "/v2/models/{name}/versions/{version}",
            get(metadata::model_version),
        )
        .route(
            "/v2/models/{name}/versions/{version}/ready",
            get(metadata::model_version_ready),
        )
        .route("/v2/models/{name}/infer", post(infer::infer))
        .route(
            "/v2/models/{name}/versions/{version}/infer",
            post(infer::infer_version),
        )
        .route("/v2/smoke", get(smoke::smoke))
        .route("/metrics", get(metrics::metrics))
        // Must follow the routes: it applies to the routes added so far.
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .fallback(fallback::no_route)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            instrument::count_and_time,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}
