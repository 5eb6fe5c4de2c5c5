//! What an IAM role holds beyond what mlcloud writes for it, found on read so that the
//! plan shows it (`policy_drift`) and an update removes it: a trust statement trusting
//! someone else, a statement added to the grants policy, a managed policy attached out
//! of band. Conditions are not compared: documents of earlier versions (before the
//! account pins) read back clean and are rewritten on their next update anyway.

use super::policy::{PolicyDocument, Principal, Statement};
use std::collections::BTreeSet;

/// What a statement allows, as compared here: effect, principals and actions, and the
/// resources.
fn shape(statement: &Statement) -> String {
    let principals = match &statement.principal {
        Some(Principal::Of(of)) => {
            let mut all: Vec<String> = of
                .iter()
                .flat_map(|(kind, values)| values.0.iter().map(move |v| format!("{kind}:{v}")))
                .collect();
            all.sort();
            all.join(",")
        }
        Some(other) => format!("{other:?}"),
        None => String::new(),
    };
    let mut actions = statement.action.0.clone();
    actions.sort();
    let mut resources = statement.resource.0.clone();
    resources.sort();
    format!(
        "{} {principals} {} {}",
        statement.effect,
        actions.join(","),
        resources.join(",")
    )
}

/// One line per statement of `actual` that `expected` has no statement like, naming
/// the document (`what`) and the statement.
pub fn extra_statements(
    what: &str,
    actual: &PolicyDocument,
    expected: Option<&PolicyDocument>,
) -> BTreeSet<String> {
    let ours: BTreeSet<String> = expected
        .map(|doc| doc.statement.iter().map(shape).collect())
        .unwrap_or_default();
    actual
        .statement
        .iter()
        .filter(|s| !ours.contains(&shape(s)))
        .map(|s| {
            format!(
                "{what}: statement {} was not written by mlcloud ({})",
                s.sid.as_deref().unwrap_or("without Sid"),
                shape(s).trim()
            )
        })
        .collect()
}

/// One line per attached managed policy the identity's purpose does not call for.
pub fn extra_attachments(attached: &[String], expected: &[String]) -> BTreeSet<String> {
    attached
        .iter()
        .filter(|arn| !expected.contains(arn))
        .map(|arn| format!("managed policy {arn} is attached but not called for"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> PolicyDocument {
        PolicyDocument::parse(json).unwrap()
    }

    #[test]
    fn an_added_principal_or_statement_is_drift_and_a_condition_is_not() {
        let ours = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"EksControlPlane","Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#,
        );
        let older = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"EksControlPlane","Effect":"Allow","Principal":{"Service":["eks.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#,
        );
        assert!(extra_statements("trust", &older, Some(&ours)).is_empty());
        let widened = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"EksControlPlane","Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"Backdoor","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}]}"#,
        );
        let drift = extra_statements("the trust policy", &widened, Some(&ours));
        assert_eq!(drift.len(), 1, "{drift:?}");
        let line = drift.iter().next().unwrap();
        assert!(
            line.contains("Backdoor") && line.contains("210987654321"),
            "{line}"
        );
        assert_eq!(extra_statements("grants", &widened, None).len(), 2);
    }

    #[test]
    fn only_attachments_the_purpose_does_not_call_for_are_drift() {
        let expected = vec!["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy".to_string()];
        let attached = vec![
            expected[0].clone(),
            "arn:aws:iam::aws:policy/AdministratorAccess".to_string(),
        ];
        let drift = extra_attachments(&attached, &expected);
        assert_eq!(drift.len(), 1);
        assert!(drift.iter().next().unwrap().contains("AdministratorAccess"));
    }
}
