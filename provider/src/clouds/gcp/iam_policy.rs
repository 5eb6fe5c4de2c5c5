//! IAM bindings written read-modify-write with the policy's etag. A write that loses
//! a race gets `ABORTED` (another writer changed the policy since our read): read again
//! and reapply. The clients never retry `setIamPolicy` (a POST), but it is safe to
//! here: a write applied whose response was lost makes the retry's change a no-op, and
//! a retry with the stale etag is refused by the service.

use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, retry_transient};
use google_cloud_iam_v1::model::{Binding, Policy};
use google_cloud_type::model::Expr;
use std::future::Future;
use std::time::Duration;

/// How long a binding keeps trying through conflicts and throttling.
const RETRY_FOR: Duration = Duration::from_secs(120);

/// Whether a failed policy write may be tried again from a fresh read.
fn retryable(e: &CloudError) -> bool {
    matches!(
        e,
        CloudError::Conflict { .. } | CloudError::Throttled { .. }
    ) || e.has_code("UNAVAILABLE")
        || matches!(e, CloudError::Transport(_))
}

/// Whether a binding's condition is `condition` (by expression: titles are ours).
fn same_condition(binding: &Binding, condition: Option<&Expr>) -> bool {
    match (&binding.condition, condition) {
        (None, None) => true,
        (Some(have), Some(want)) => have.expression == want.expression,
        _ => false,
    }
}

/// Adds `member` to the binding of `role` under `condition` (none: unconditional);
/// false when already there. A conditional binding needs policy version 3.
pub fn add_member_if(
    policy: &mut Policy,
    role: &str,
    condition: Option<&Expr>,
    member: &str,
) -> bool {
    if condition.is_some() {
        policy.version = 3;
    }
    if let Some(b) = policy
        .bindings
        .iter_mut()
        .find(|b| b.role == role && same_condition(b, condition))
    {
        if b.members.iter().any(|m| m == member) {
            return false;
        }
        b.members.push(member.to_string());
        return true;
    }
    let mut binding = Binding::new().set_role(role).set_members([member]);
    if let Some(c) = condition {
        binding = binding.set_condition(c.clone());
    }
    policy.bindings.push(binding);
    true
}

/// Whether `member` holds `role` under exactly `condition`.
pub fn has_member_if(policy: &Policy, role: &str, condition: Option<&Expr>, member: &str) -> bool {
    policy.bindings.iter().any(|b| {
        b.role == role && same_condition(b, condition) && b.members.iter().any(|m| m == member)
    })
}

/// Removes `member` from `role` under `condition`, dropping the binding when it
/// empties; false when it was not there.
pub fn remove_member_if(
    policy: &mut Policy,
    role: &str,
    condition: Option<&Expr>,
    member: &str,
) -> bool {
    let mut changed = false;
    for b in policy
        .bindings
        .iter_mut()
        .filter(|b| b.role == role && same_condition(b, condition))
    {
        let before = b.members.len();
        b.members.retain(|m| m != member);
        changed |= b.members.len() != before;
    }
    policy.bindings.retain(|b| !b.members.is_empty());
    changed
}

/// Reads the policy, lets `change` edit it, and writes it back with the read's etag
/// when `change` says it changed something; again from a fresh read on a conflict.
pub async fn modify<G, GF, S, SF>(
    what: &str,
    backoff: &Backoff,
    deadline: &Deadline,
    get: G,
    set: S,
    change: impl Fn(&mut Policy) -> bool,
) -> Result<(), CloudError>
where
    G: Fn() -> GF,
    GF: Future<Output = Result<Policy, CloudError>>,
    S: Fn(Policy) -> SF,
    SF: Future<Output = Result<Policy, CloudError>>,
{
    retry_transient(what, backoff, deadline, RETRY_FOR, retryable, || async {
        let mut policy = get().await?;
        if !change(&mut policy) {
            return Ok(());
        }
        set(policy).await.map(|_| ())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::Op;
    use std::sync::Mutex;
    use tokio_util::sync::CancellationToken;

    /// The roles `member` holds unconditionally.
    fn roles_of<'a>(policy: &'a Policy, member: &str) -> impl Iterator<Item = &'a str> {
        policy
            .bindings
            .iter()
            .filter(move |b| b.condition.is_none() && b.members.iter().any(|m| m == member))
            .map(|b| b.role.as_str())
    }

    #[test]
    fn adds_and_removes_one_member_without_touching_others() {
        let mut p = Policy::new();
        assert!(add_member_if(&mut p, "roles/a", None, "user:x"));
        assert!(!add_member_if(&mut p, "roles/a", None, "user:x"));
        assert!(add_member_if(&mut p, "roles/a", None, "user:y"));
        assert_eq!(p.bindings.len(), 1);
        assert!(remove_member_if(&mut p, "roles/a", None, "user:x"));
        assert_eq!(roles_of(&p, "user:y").collect::<Vec<_>>(), ["roles/a"]);
        assert!(remove_member_if(&mut p, "roles/a", None, "user:y"));
        assert!(p.bindings.is_empty(), "an empty binding is dropped");
        assert!(!remove_member_if(&mut p, "roles/a", None, "user:y"));
    }

    #[test]
    fn a_conditional_binding_is_its_own_and_raises_the_policy_version() {
        let mut p = Policy::new();
        let only = Expr::new().set_expression("resource.name.startsWith(\"x\")");
        assert!(add_member_if(&mut p, "roles/a", None, "user:x"));
        assert!(add_member_if(&mut p, "roles/a", Some(&only), "user:x"));
        assert!(!add_member_if(&mut p, "roles/a", Some(&only), "user:x"));
        assert_eq!((p.bindings.len(), p.version), (2, 3));
        assert!(has_member_if(&p, "roles/a", Some(&only), "user:x"));
        assert!(remove_member_if(&mut p, "roles/a", Some(&only), "user:x"));
        assert!(
            has_member_if(&p, "roles/a", None, "user:x"),
            "the unconditional one stays"
        );
        assert!(!has_member_if(&p, "roles/a", Some(&only), "user:x"));
    }

    #[tokio::test]
    async fn a_conflicting_write_is_redone_from_a_fresh_read() {
        // The store: (etag, policy). The first write is beaten by another writer.
        let store = Mutex::new((1u8, Policy::new()));
        let raced = Mutex::new(false);
        let backoff = Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(2),
        };
        let deadline = Deadline::new(&Op::new(Duration::from_secs(5), CancellationToken::new()));
        modify(
            "binding",
            &backoff,
            &deadline,
            || async {
                let (etag, p) = store.lock().unwrap().clone();
                Ok(p.set_etag(bytes::Bytes::from(vec![etag])))
            },
            |p: Policy| {
                let mut s = store.lock().unwrap();
                let mut raced = raced.lock().unwrap();
                if !*raced {
                    *raced = true;
                    add_member_if(&mut s.1, "roles/other", None, "user:someone");
                    s.0 += 1;
                }
                let result = if p.etag.as_ref() == [s.0] {
                    s.0 += 1;
                    s.1 = p.clone();
                    Ok(p)
                } else {
                    Err(CloudError::Conflict {
                        service: "IAM",
                        operation: "setIamPolicy",
                        code: "ABORTED".into(),
                        message: "etag mismatch".into(),
                    })
                };
                async move { result }
            },
            |p| add_member_if(p, "roles/mine", None, "user:me"),
        )
        .await
        .unwrap();
        let p = &store.lock().unwrap().1;
        assert_eq!(roles_of(p, "user:me").collect::<Vec<_>>(), ["roles/mine"]);
        assert_eq!(
            roles_of(p, "user:someone").collect::<Vec<_>>(),
            ["roles/other"],
            "the other writer's change survives"
        );
    }
}
