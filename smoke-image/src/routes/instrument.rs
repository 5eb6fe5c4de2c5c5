//! Counts, times and (at `debug`) logs every request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use crate::logging::{self, Level};
use crate::state::AppState;

/// Label for requests that matched no route, so scanners cannot create a series per path.
const UNMATCHED: &str = "unmatched";

pub async fn count_and_time(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let in_flight = state.metrics.start_request();

    let response = next.run(request).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    drop(in_flight);
    state
        .metrics
        .record_request(&route, method, status, elapsed);
    let level = if response.status().is_server_error() {
        Level::Warn
    } else {
        Level::Debug
    };
    if logging::enabled(level) {
        logging::log(
            level,
            "request",
            json!({
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": elapsed.as_secs_f64() * 1000.0,
            }),
        );
    }
    response
}

/// The standard methods by name; anything else is one label, to bound cardinality.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}
