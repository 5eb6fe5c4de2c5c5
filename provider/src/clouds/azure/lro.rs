//! ARM's long-running operations: poll `Azure-AsyncOperation` when the first answer
//! carries it (its body's `status`: InProgress → Succeeded | Failed | Canceled), else
//! `Location` (202 while running, then 200/204), pausing as long as `Retry-After` asks
//! (never longer than the backoff's maximum), through the shared waiter so that the
//! operation's timeout and Terraform's stop request bound every wait. A resource whose
//! `provisioningState` is still moving afterwards is polled until it settles.

use super::arm::{ArmClient, Reply};
use super::errors::Call;
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, Observed, StateChange, Target};
use azure_core::http::{Method, Url};
use serde_json::Value;

const RUNNING: &str = "InProgress";
const SUCCEEDED: &str = "Succeeded";
const FAILED: &[&str] = &["Failed", "Canceled"];

/// Waits for the operation `reply` started, if it started one.
pub async fn follow(
    client: &ArmClient,
    call: Call,
    id: &str,
    reply: &Reply,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    follow_for_result(client, call, id, reply, deadline)
        .await
        .map(|_| ())
}

/// Waits for the operation `reply` started; returns the operation's result body when
/// it has one (a POST action answered through `Location`).
pub async fn follow_for_result(
    client: &ArmClient,
    call: Call,
    id: &str,
    reply: &Reply,
    deadline: &Deadline,
) -> Result<Option<Value>, CloudError> {
    let backoff = paced_by(client.backoff(), reply);
    let what = format!("{} {} of {id}", call.service, call.operation);
    if let Some(status_url) = &reply.async_operation {
        let url = parse(status_url)?;
        let change = StateChange {
            what: what.clone(),
            pending: &[RUNNING],
            target: Target::States(&[SUCCEEDED]),
            failure: FAILED,
        };
        change
            .wait(&backoff, deadline, || {
                poll_status(client, call, url.clone())
            })
            .await?;
        // An action's result, if any, is at Location once the operation succeeded.
        if call.operation == "POST"
            && let Some(location) = &reply.location
        {
            let result = client
                .send(Method::Get, parse(location)?, None)
                .await?
                .error_or_json(call)?;
            return Ok(Some(result));
        }
        return Ok(None);
    }
    if reply.status == 202
        && let Some(location) = &reply.location
    {
        let url = parse(location)?;
        let change = StateChange {
            what,
            pending: &[RUNNING],
            target: Target::States(&[SUCCEEDED]),
            failure: FAILED,
        };
        let done = change
            .wait(&backoff, deadline, || {
                poll_location(client, call, url.clone())
            })
            .await?;
        return Ok(done.filter(|v| !v.is_null()));
    }
    Ok(None)
}

/// One poll of an `Azure-AsyncOperation` URL.
async fn poll_status(
    client: &ArmClient,
    call: Call,
    url: Url,
) -> Result<Option<Observed<()>>, CloudError> {
    let body = client
        .send(Method::Get, url, None)
        .await?
        .error_or_json(call)?;
    let status = body
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or(RUNNING)
        .to_string();
    let detail = error_detail(&body);
    let state = if status == SUCCEEDED || FAILED.contains(&status.as_str()) {
        status
    } else {
        // Accepted, Running, Creating...: ARM allows service-specific running states.
        RUNNING.to_string()
    };
    Ok(Some(Observed::new((), state).with_detail(detail)))
}

/// One poll of a `Location` URL: 202 while running, any success when done.
async fn poll_location(
    client: &ArmClient,
    call: Call,
    url: Url,
) -> Result<Option<Observed<Value>>, CloudError> {
    let reply = client.send(Method::Get, url, None).await?;
    if reply.status == 202 {
        return Ok(Some(Observed::new(Value::Null, RUNNING)));
    }
    let body = reply.error_or_json(call)?;
    Ok(Some(Observed::new(body, SUCCEEDED)))
}

/// Waits until the resource's `provisioningState` is terminal; returns it as read last.
pub async fn until_provisioned(
    client: &ArmClient,
    id: &str,
    api_version: &str,
    service: &'static str,
    current: Value,
    deadline: &Deadline,
) -> Result<Value, CloudError> {
    if !is_running(&current) {
        return check_failed(id, current);
    }
    let change = StateChange {
        what: format!("{id} to finish provisioning"),
        pending: &[RUNNING],
        target: Target::States(&[SUCCEEDED]),
        failure: FAILED,
    };
    let done = change
        .wait(&client.backoff(), deadline, || async {
            let Some(v) = client.get::<Value>(id, api_version, service).await? else {
                return Ok(None);
            };
            let state = match provisioning_state(&v) {
                Some(s) if s == SUCCEEDED || FAILED.contains(&s) => s.to_string(),
                None => SUCCEEDED.to_string(),
                Some(_) => RUNNING.to_string(),
            };
            let detail = provisioning_state(&v).unwrap_or_default().to_string();
            Ok(Some(Observed::new(v, state).with_detail(detail)))
        })
        .await?;
    done.ok_or_else(|| CloudError::NotFound {
        what: id.to_string(),
        message: "disappeared while provisioning".into(),
    })
}

fn check_failed(id: &str, v: Value) -> Result<Value, CloudError> {
    match provisioning_state(&v) {
        Some(s) if FAILED.contains(&s) => Err(CloudError::FailedState {
            what: id.to_string(),
            state: s.to_string(),
            detail: "the resource's provisioningState".into(),
        }),
        _ => Ok(v),
    }
}

/// `properties.provisioningState`.
pub fn provisioning_state(v: &Value) -> Option<&str> {
    v.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
}

fn is_running(v: &Value) -> bool {
    provisioning_state(v).is_some_and(|s| s != SUCCEEDED && !FAILED.contains(&s))
}

/// The operation's `error` as "code: message".
fn error_detail(body: &Value) -> String {
    let Some(error) = body.get("error") else {
        return String::new();
    };
    let text = |k: &str| error.get(k).and_then(Value::as_str).unwrap_or_default();
    format!("{}: {}", text("code"), text("message"))
}

/// The backoff, starting at the service's `Retry-After` when it sent one.
fn paced_by(backoff: Backoff, reply: &Reply) -> Backoff {
    match reply.retry_after {
        Some(asked) => Backoff {
            initial: asked.min(backoff.max),
            max: backoff.max,
        },
        None => backoff,
    }
}

fn parse(url: &str) -> Result<Url, CloudError> {
    Url::parse(url)
        .map_err(|e| CloudError::Transport(format!("Azure sent a bad operation URL {url:?}: {e}")))
}
