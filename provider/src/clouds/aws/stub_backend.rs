//! An [`AwsBackend`] whose every service endpoint is one [`StubServer`], built the way
//! the provider builds it (provider block → `Clients::connect`), with tiny backoffs
//! and call limits so that fault stories run in milliseconds.

use super::AwsBackend;
use super::clients::{CallLimits, Clients};
use super::stub_server::{Reply, Seen, StubServer};
use crate::clouds::model::Op;
use crate::clouds::wait::Backoff;
use crate::config::aws::{AwsConfig, SERVICES};
use crate::config::common::{Endpoints, RetryBlock};
use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const FAST: Backoff = Backoff {
    initial: Duration::from_millis(1),
    max: Duration::from_millis(5),
};

/// Call limits short enough for a test to see them: a stub that answers later than
/// `attempt` fails the attempt.
pub const SHORT_LIMITS: CallLimits = CallLimits {
    connect: Duration::from_secs(2),
    attempt: Duration::from_millis(500),
    operation: Duration::from_secs(5),
};

/// The provider block a user with static keys and every endpoint overridden would
/// write; `attempts` is the SDK's retry setting (2: one retry, as after a lost answer).
pub fn config(stub: &StubServer, attempts: u32) -> AwsConfig {
    AwsConfig {
        region: Some("us-east-1".into()),
        access_key: Some("AKIDTEST".into()),
        secret_key: Some("test-secret".into()),
        endpoints: Some(Endpoints::from_iter(
            SERVICES
                .iter()
                .map(|s| (s.to_string(), Some(stub.url().to_string()))),
        )),
        retry: Some(RetryBlock {
            max_attempts: Some(attempts),
            max_backoff_seconds: Some(1),
        }),
        ..AwsConfig::default()
    }
}

pub async fn backend(stub: &StubServer, attempts: u32) -> AwsBackend {
    AwsBackend {
        clients: Clients::connect_with_limits(&config(stub, attempts), SHORT_LIMITS)
            .await
            .expect("clients for the stub"),
        backoff: FAST,
    }
}

/// An operation with a generous timeout, recording the ids of what the backend
/// reports as made (through `id_of`).
pub fn recording_op<S: Any>(id_of: fn(&S) -> String) -> (Op, Arc<Mutex<Vec<String>>>) {
    let made = Arc::new(Mutex::new(Vec::new()));
    let sink = made.clone();
    let op = Op::new(Duration::from_secs(30), CancellationToken::new()).recording(Arc::new(
        move |state: &dyn Any| {
            if let Some(state) = state.downcast_ref::<S>() {
                sink.lock().unwrap().push(id_of(state));
            }
        },
    ));
    (op, made)
}

pub const ACCOUNT: &str = "123456789012";

/// STS GetCallerIdentity for [`ACCOUNT`].
pub fn caller() -> Reply {
    Reply::query(
        "GetCallerIdentity",
        &format!(
            "<Arn>arn:aws:iam::{ACCOUNT}:user/test</Arn><UserId>AIDTEST</UserId>\
             <Account>{ACCOUNT}</Account>"
        ),
    )
}

/// The requests for `operation`, in order.
pub fn calls<'a>(seen: &'a [Seen], operation: &str) -> Vec<&'a Seen> {
    seen.iter().filter(|s| s.operation() == operation).collect()
}

/// A form field of an `awsQuery`/`ec2Query` request body, percent-decoded.
pub fn form_field(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

/// The `Tags.member.N.Key/Value` pairs of a query request body.
pub fn query_tags(body: &str) -> Vec<(String, String)> {
    (1..)
        .map_while(|n| {
            let key = form_field(body, &format!("Tags.member.{n}.Key"))?;
            let value = form_field(body, &format!("Tags.member.{n}.Value")).unwrap_or_default();
            Some((key, value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let text = text.replace('+', " ");
    percent_encoding::percent_decode_str(&text)
        .decode_utf8_lossy()
        .to_string()
}
