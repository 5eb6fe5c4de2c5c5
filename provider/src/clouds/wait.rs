//! A generic waiter (terraform-provider-aws' `StateChangeConf`): poll a status function
//! with exponential backoff and jitter until the object reaches a target state (or is
//! gone), fails, the operation's deadline passes, or Terraform asks us to stop.
//!
//! Shared by every backend. Throttling is honoured twice: a cloud SDK's own retry mode
//! already backs off inside each poll, and a poll that still fails with
//! [`CloudError::Throttled`] counts as "no news" here instead of failing the whole wait,
//! pausing at least as long as the service's `Retry-After` asked.

use crate::clouds::CloudError;
use crate::clouds::model::Op;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Delays between polls: `initial`, doubling up to `max`, each with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// What real clouds need: managed clusters take ~10 minutes, node pools ~3.
    pub const DEFAULT: Backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(30),
    };

    /// The delay before poll number `attempt + 1`: the exponential step with "equal
    /// jitter" (half fixed, half random), so concurrent waiters spread out but a delay
    /// never collapses to zero.
    pub fn delay(&self, attempt: u32) -> Duration {
        let step = self
            .initial
            .saturating_mul(2u32.saturating_pow(attempt.min(31)))
            .min(self.max);
        let half = step / 2;
        let jitter_nanos = fastrand::u64(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
}

/// When an operation must end, measured from when it started, and how to notice that
/// Terraform wants us to stop. One per create/update/delete, shared by all its waits so
/// that the `timeouts {}` value bounds the whole operation.
#[derive(Debug, Clone)]
pub struct Deadline {
    started: Instant,
    timeout: Duration,
    cancel: CancellationToken,
}

impl Deadline {
    pub fn new(op: &Op) -> Self {
        Deadline {
            started: Instant::now(),
            timeout: op.timeout,
            cancel: op.cancel.clone(),
        }
    }

    pub fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// Whether Terraform asked us to stop. Loops that make calls check it before each
    /// new round: an answer already asked for is awaited (it may have made something
    /// that must reach the state), nothing new is started.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Sleeps `pause` (never past the deadline); a stop request ends it at once with
    /// [`CloudError::Cancelled`] naming `what` was being done.
    pub async fn pause(&self, pause: Duration, what: &str) -> Result<(), CloudError> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(CloudError::Cancelled(what.to_string())),
            _ = tokio::time::sleep(pause.min(self.remaining())) => Ok(()),
        }
    }
}

/// What the waiter is waiting for.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// One of these states.
    States(&'a [&'a str]),
    /// The object no longer exists.
    Gone,
}

/// A state transition to wait for, with words for the error messages.
#[derive(Debug, Clone)]
pub struct StateChange<'a> {
    /// Completes "waiting for …", e.g. `EKS cluster "ml" to become ACTIVE`.
    pub what: String,
    /// States that mean "keep polling".
    pub pending: &'a [&'a str],
    pub target: Target<'a>,
    /// States that mean "it will not get there" (e.g. `CREATE_FAILED`).
    pub failure: &'a [&'a str],
}

/// One poll's answer: the object with its state (and a detail for failure messages),
/// or `None` when it does not exist.
#[derive(Debug, Clone)]
pub struct Observed<T> {
    pub value: T,
    pub state: String,
    pub detail: String,
}

impl<T> Observed<T> {
    pub fn new(value: T, state: impl Into<String>) -> Self {
        Observed {
            value,
            state: state.into(),
            detail: String::new(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

impl StateChange<'_> {
    /// Polls until the target is reached. Returns the last observed value (`None` when
    /// the target is `Gone`).
    pub async fn wait<T, F, Fut>(
        &self,
        backoff: &Backoff,
        deadline: &Deadline,
        mut poll: F,
    ) -> Result<Option<T>, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<Observed<T>>, CloudError>>,
    {
        let mut last_state = String::from("no answer yet");
        let mut attempt = 0u32;
        // Set when a poll failed with throttling even after the SDK's own retries, so a
        // timeout can say why no progress was seen.
        let mut throttled = false;
        // The service's Retry-After, honoured for the next pause only.
        let mut asked_pause: Option<Duration> = None;
        loop {
            let polled = tokio::select! {
                biased;
                _ = deadline.cancel.cancelled() => return Err(self.cancelled()),
                _ = tokio::time::sleep(deadline.remaining()) => return Err(self.timed_out(deadline, &last_state, throttled)),
                polled = poll() => polled,
            };
            match polled {
                Ok(Some(observed)) => {
                    if let Some(done) = self.judge(observed, &mut last_state)? {
                        return Ok(Some(done));
                    }
                }
                Ok(None) => match self.target {
                    Target::Gone => return Ok(None),
                    Target::States(_) => {
                        return Err(CloudError::NotFound {
                            what: self.what.clone(),
                            message: format!(
                                "the object disappeared while waiting (last state: {last_state})"
                            ),
                        });
                    }
                },
                Err(e) if e.is_throttled() => {
                    throttled = true;
                    asked_pause = e.retry_after();
                }
                Err(e) => return Err(e),
            }

            let remaining = deadline.remaining();
            if remaining.is_zero() {
                return Err(self.timed_out(deadline, &last_state, throttled));
            }
            let pause = backoff
                .delay(attempt)
                .max(asked_pause.take().unwrap_or_default())
                .min(remaining);
            attempt = attempt.saturating_add(1);
            tokio::select! {
                biased;
                _ = deadline.cancel.cancelled() => return Err(self.cancelled()),
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Classifies one observation: done (`Some`), keep polling (`None`), or an error.
    fn judge<T>(
        &self,
        observed: Observed<T>,
        last_state: &mut String,
    ) -> Result<Option<T>, CloudError> {
        let state = observed.state.as_str();
        if let Target::States(targets) = self.target
            && targets.contains(&state)
        {
            return Ok(Some(observed.value));
        }
        if self.failure.contains(&state) {
            return Err(CloudError::FailedState {
                what: self.what.clone(),
                state: observed.state,
                detail: or_none(observed.detail),
            });
        }
        if !self.pending.contains(&state) {
            return Err(CloudError::FailedState {
                what: self.what.clone(),
                state: observed.state,
                detail: format!(
                    "unexpected state (expected one of {}); {}",
                    self.expected().join(", "),
                    or_none(observed.detail)
                ),
            });
        }
        *last_state = observed.state;
        Ok(None)
    }

    fn expected(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.pending.to_vec();
        match self.target {
            Target::States(t) => all.extend_from_slice(t),
            Target::Gone => all.push("(deleted)"),
        }
        all
    }

    fn timed_out(&self, deadline: &Deadline, last_state: &str, throttled: bool) -> CloudError {
        let mut last_state = last_state.to_string();
        if throttled {
            last_state.push_str("; some polls were throttled");
        }
        CloudError::Timeout {
            what: self.what.clone(),
            after: deadline.timeout,
            last_state,
        }
    }

    fn cancelled(&self) -> CloudError {
        CloudError::Cancelled(format!("waiting for {}", self.what))
    }
}

/// Calls `call` again (with the backoff) while its error is `transient`, for at most
/// `limit` and never past the deadline; for errors that time fixes, such as IAM's
/// eventual consistency after a role was created.
pub async fn retry_transient<T, F, Fut>(
    what: &str,
    backoff: &Backoff,
    deadline: &Deadline,
    limit: Duration,
    transient: impl Fn(&CloudError) -> bool,
    mut call: F,
) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        match call().await {
            Err(e) if transient(&e) && started.elapsed() < limit => {
                let pause = backoff
                    .delay(attempt)
                    .max(e.retry_after().unwrap_or_default())
                    .min(deadline.remaining())
                    .min(limit.saturating_sub(started.elapsed()));
                if pause.is_zero() {
                    return Err(e);
                }
                attempt = attempt.saturating_add(1);
                tokio::select! {
                    biased;
                    _ = deadline.cancel.cancelled() => return Err(CloudError::Cancelled(what.to_string())),
                    _ = tokio::time::sleep(pause) => {}
                }
            }
            other => return other,
        }
    }
}

fn or_none(detail: String) -> String {
    if detail.is_empty() {
        "no details given".into()
    } else {
        detail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    const FAST: Backoff = Backoff {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(4),
    };

    fn change(target: Target<'static>) -> StateChange<'static> {
        StateChange {
            what: "thing \"t\" to become READY".into(),
            pending: &["CREATING", "DELETING"],
            target,
            failure: &["FAILED"],
        }
    }

    fn deadline(ms: u64) -> Deadline {
        Deadline::new(&Op::new(
            Duration::from_millis(ms),
            CancellationToken::new(),
        ))
    }

    /// A poll function answering a script, then repeating its last answer.
    fn scripted(
        states: &[Option<&str>],
    ) -> impl FnMut() -> std::future::Ready<Result<Option<Observed<u32>>, CloudError>> {
        let script: Arc<Mutex<VecDeque<Option<String>>>> = Arc::new(Mutex::new(
            states.iter().map(|s| s.map(str::to_string)).collect(),
        ));
        let calls = Arc::new(Mutex::new(0u32));
        move || {
            let mut script = script.lock().unwrap();
            let next = if script.len() > 1 {
                script.pop_front().unwrap()
            } else {
                script.front().cloned().unwrap()
            };
            let mut n = calls.lock().unwrap();
            *n += 1;
            std::future::ready(Ok(next.map(|s| Observed::new(*n, s))))
        }
    }

    #[test]
    fn delays_grow_to_the_cap_with_jitter_inside_bounds() {
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
        };
        for (attempt, step) in [(0, 1), (1, 2), (2, 4), (3, 8), (4, 16), (5, 30), (40, 30)] {
            let step = Duration::from_secs(step);
            for _ in 0..50 {
                let d = b.delay(attempt);
                assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
            }
        }
        let samples: std::collections::BTreeSet<_> = (0..50).map(|_| b.delay(6)).collect();
        assert!(samples.len() > 1, "no jitter: {samples:?}");
    }

    #[tokio::test]
    async fn reaches_the_target_after_pending_states() {
        let got = change(Target::States(&["READY"]))
            .wait(
                &FAST,
                &deadline(5_000),
                scripted(&[Some("CREATING"), Some("CREATING"), Some("READY")]),
            )
            .await
            .unwrap();
        assert_eq!(got, Some(3), "the third poll's value is returned");
    }

    #[tokio::test]
    async fn a_failure_state_stops_the_wait() {
        let err = change(Target::States(&["READY"]))
            .wait(
                &FAST,
                &deadline(5_000),
                scripted(&[Some("CREATING"), Some("FAILED")]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CloudError::FailedState { state, .. } if state == "FAILED"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn an_unexpected_state_is_an_error_naming_the_expected_ones() {
        let err = change(Target::States(&["READY"]))
            .wait(&FAST, &deadline(5_000), scripted(&[Some("UPDATING")]))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("UPDATING") && err.contains("CREATING, DELETING, READY"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn waiting_for_gone_ends_when_the_object_disappears() {
        let got = change(Target::Gone)
            .wait(
                &FAST,
                &deadline(5_000),
                scripted(&[Some("DELETING"), Some("DELETING"), None]),
            )
            .await
            .unwrap();
        assert_eq!(got, None);
    }

    #[tokio::test]
    async fn disappearing_while_waiting_for_a_state_is_not_found() {
        let err = change(Target::States(&["READY"]))
            .wait(&FAST, &deadline(5_000), scripted(&[Some("CREATING"), None]))
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
    }

    #[tokio::test]
    async fn timing_out_names_what_and_the_last_state() {
        let err = change(Target::States(&["READY"]))
            .wait(&FAST, &deadline(40), scripted(&[Some("CREATING")]))
            .await
            .unwrap_err();
        match &err {
            CloudError::Timeout { last_state, .. } => assert_eq!(last_state, "CREATING"),
            other => panic!("expected a timeout, got {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("thing \"t\" to become READY"), "{text}");
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_the_limit() {
        let busy = || CloudError::Api {
            service: "EKS",
            operation: "CreateCluster",
            code: "InvalidParameterException".into(),
            message: "role cannot be assumed".into(),
        };
        let is_busy = |e: &CloudError| matches!(e, CloudError::Api { code, .. } if code == "InvalidParameterException");
        let calls = Arc::new(Mutex::new(0u32));
        let counting = |fail_times: u32| {
            let calls = calls.clone();
            move || {
                let mut n = calls.lock().unwrap();
                *n += 1;
                std::future::ready(if *n <= fail_times {
                    Err(busy())
                } else {
                    Ok(*n)
                })
            }
        };
        let limit = Duration::from_secs(5);
        let got = retry_transient(
            "creating",
            &FAST,
            &deadline(5_000),
            limit,
            is_busy,
            counting(2),
        )
        .await;
        assert_eq!(got, Ok(3));

        *calls.lock().unwrap() = 0;
        let other = |_: &CloudError| false;
        let got = retry_transient(
            "creating",
            &FAST,
            &deadline(5_000),
            limit,
            other,
            counting(2),
        )
        .await;
        assert_eq!(
            got,
            Err(busy()),
            "a non-transient error is returned at once"
        );
        assert_eq!(*calls.lock().unwrap(), 1);

        *calls.lock().unwrap() = 0;
        let short = Duration::from_millis(30);
        let got = retry_transient(
            "creating",
            &FAST,
            &deadline(5_000),
            short,
            is_busy,
            counting(u32::MAX),
        )
        .await;
        assert_eq!(got, Err(busy()), "gives up after the limit");
        assert!(*calls.lock().unwrap() > 1);
    }

    #[tokio::test]
    async fn cancellation_stops_a_wait_promptly() {
        let cancel = CancellationToken::new();
        let deadline = Deadline::new(&Op::new(Duration::from_secs(60), cancel.clone()));
        let slow = Backoff {
            initial: Duration::from_secs(20),
            max: Duration::from_secs(20),
        };
        let stopper = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            cancel.cancel();
        });
        let started = std::time::Instant::now();
        let err = change(Target::States(&["READY"]))
            .wait(&slow, &deadline, scripted(&[Some("CREATING")]))
            .await
            .unwrap_err();
        stopper.await.unwrap();
        assert!(matches!(err, CloudError::Cancelled(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_pause_ends_at_once_when_terraform_asks_us_to_stop() {
        let cancel = CancellationToken::new();
        let deadline = Deadline::new(&Op::new(Duration::from_secs(60), cancel.clone()));
        assert!(!deadline.is_cancelled());
        let stopper = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancel.cancel();
        });
        let started = std::time::Instant::now();
        let err = deadline
            .pause(Duration::from_secs(30), "looking for a key")
            .await
            .unwrap_err();
        stopper.await.unwrap();
        assert_eq!(err, CloudError::Cancelled("looking for a key".into()));
        assert!(deadline.is_cancelled());
        assert!(started.elapsed() < Duration::from_secs(5));
        // And never past the operation's deadline.
        let short = deadline_of(Duration::from_millis(10));
        let started = std::time::Instant::now();
        short.pause(Duration::from_secs(30), "x").await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    fn deadline_of(timeout: Duration) -> Deadline {
        Deadline::new(&Op::new(timeout, CancellationToken::new()))
    }

    fn throttled(retry_after: Option<Duration>) -> CloudError {
        CloudError::Throttled {
            service: "EKS",
            operation: "DescribeCluster",
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            retry_after,
        }
    }

    #[tokio::test]
    async fn a_throttled_poll_waits_as_long_as_retry_after_asks() {
        let calls = Arc::new(Mutex::new(0u32));
        let counted = calls.clone();
        let started = Instant::now();
        let done = change(Target::States(&["READY"]))
            .wait(&FAST, &deadline(5_000), move || {
                let mut n = counted.lock().unwrap();
                *n += 1;
                std::future::ready(match *n {
                    1 => Err(throttled(Some(Duration::from_millis(200)))),
                    _ => Ok(Some(Observed::new(*n, "READY"))),
                })
            })
            .await
            .unwrap();
        assert_eq!(done, Some(2));
        // The backoff alone would have paused at most 4 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(*calls.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn transient_retries_honour_retry_after_too() {
        let calls = Arc::new(Mutex::new(0u32));
        let counted = calls.clone();
        let started = Instant::now();
        let answer = retry_transient(
            "creating the thing",
            &FAST,
            &deadline(5_000),
            Duration::from_secs(5),
            CloudError::is_throttled,
            move || {
                let mut n = counted.lock().unwrap();
                *n += 1;
                std::future::ready(match *n {
                    1 => Err(throttled(Some(Duration::from_millis(150)))),
                    n => Ok(n),
                })
            },
        )
        .await
        .unwrap();
        assert_eq!(answer, 2);
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
}
