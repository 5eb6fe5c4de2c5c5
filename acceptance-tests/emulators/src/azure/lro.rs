//! How ARM long-running operations look on the wire: the `Azure-AsyncOperation`,
//! `Location` and `Retry-After` headers of a 201/202, and the two polling routes
//! (`.../operations/{id}` answers the status resource, `.../operationresults/{id}`
//! answers 202 until done, then 204 for a delete or the resource for a write).

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::errors::{ArmError, arm_json};
use super::model::State;
use super::model::operations::{Operation, OperationKind};

/// The status URL path of an operation (under the namespace's `locations/{loc}`).
pub fn status_path(
    state: &State,
    namespace: &str,
    location: &str,
    operation: &Operation,
) -> String {
    format!(
        "/subscriptions/{}/providers/{namespace}/locations/{location}/operations/{}",
        state.subscription_id, operation.id
    )
}

fn result_path(state: &State, namespace: &str, location: &str, operation: &Operation) -> String {
    format!(
        "/subscriptions/{}/providers/{namespace}/locations/{location}/operationresults/{}",
        state.subscription_id, operation.id
    )
}

/// Seconds a client should wait before polling: the operation delay, at most 10 s.
pub fn retry_after(state: &State) -> u64 {
    state.operation_delay.as_secs().min(10)
}

/// A 200/201/202 for a started operation, with its polling headers.
pub fn started(
    state: &State,
    status: StatusCode,
    body: Option<&Value>,
    namespace: &str,
    location: &str,
    operation: &Operation,
    api_version: &str,
) -> Response<Bytes> {
    let mut response = match body {
        Some(body) => arm_json(status, body),
        None => {
            let mut response = arm_json(status, &Value::Null);
            *response.body_mut() = Bytes::new();
            response
        }
    };
    let headers = response.headers_mut();
    let async_url = format!(
        "{}{}?api-version={api_version}",
        state.url,
        status_path(state, namespace, location, operation)
    );
    headers.insert(
        "azure-asyncoperation",
        async_url.parse().expect("a URL header"),
    );
    if status == StatusCode::ACCEPTED {
        let location_url = format!(
            "{}{}?api-version={api_version}",
            state.url,
            result_path(state, namespace, location, operation)
        );
        headers.insert("location", location_url.parse().expect("a URL header"));
    }
    headers.insert("retry-after", retry_after(state).into());
    response
}

/// `GET .../operations/{id}` and `GET .../operationresults/{id}`.
pub fn poll(
    state: &State,
    path: &str,
    operation_id: &str,
    results: bool,
    resource_body: Option<Value>,
) -> Response<Bytes> {
    let Some(operation) = state.operations.get(operation_id) else {
        return ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("Operation {operation_id} not found."),
        )
        .response();
    };
    if !results {
        return arm_json(StatusCode::OK, &operation.body(path));
    }
    match (operation.status(), operation.kind) {
        ("InProgress", _) => {
            let mut response = arm_json(StatusCode::ACCEPTED, &json!(null));
            *response.body_mut() = Bytes::new();
            response.headers_mut().insert(
                "location",
                format!("{}{path}", state.url)
                    .parse()
                    .expect("a URL header"),
            );
            response
                .headers_mut()
                .insert("retry-after", retry_after(state).into());
            response
        }
        ("Failed", _) => operation
            .failure
            .clone()
            .unwrap_or_else(|| {
                ArmError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalOperationError",
                    "failed",
                )
            })
            .response(),
        (_, OperationKind::Delete) => {
            let mut response = arm_json(StatusCode::NO_CONTENT, &json!(null));
            *response.body_mut() = Bytes::new();
            response
        }
        (_, OperationKind::Write) => match resource_body {
            Some(body) => arm_json(StatusCode::OK, &body),
            None => {
                let mut response = arm_json(StatusCode::NO_CONTENT, &json!(null));
                *response.body_mut() = Bytes::new();
                response
            }
        },
    }
}
