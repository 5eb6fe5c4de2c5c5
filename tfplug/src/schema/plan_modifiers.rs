//! Plan modifiers: values attached to attributes that adjust the planned value of a
//! resource (keep a computed value, force replacement) before Terraform sees the plan.

use crate::value::{AttributePath, Value};

/// The plan of one attribute, as a modifier sees and changes it.
pub struct AttributePlan<'a> {
    pub path: &'a AttributePath,
    /// The configured value (null when not set).
    pub config: &'a Value,
    /// The prior state's value; `None` when the resource is being created.
    pub prior: Option<&'a Value>,
    /// The planned value; a modifier may replace it.
    pub planned: Value,
    /// Set to true when this change needs the resource replaced.
    pub requires_replace: bool,
    /// True when anything else in the resource changes (so computed values may move).
    pub resource_changes: bool,
}

/// Adjusts one attribute's plan.
pub trait PlanModifier: Send + Sync {
    fn description(&self) -> String;
    fn modify(&self, plan: &mut AttributePlan<'_>);
}

/// Changing the value replaces the resource.
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "Changing this value forces replacement.".into()
    }
    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if let Some(prior) = plan.prior {
            // An unknown planned value may turn out equal; Terraform treats it as a change.
            if plan.planned.is_unknown() || *prior != plan.planned {
                plan.requires_replace = true;
            }
        }
    }
}

/// Keep the prior state's value instead of "(known after apply)": for computed values
/// that never change after creation, such as ids.
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "Keeps its value across updates.".into()
    }
    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if let Some(prior) = plan.prior
            && plan.planned.is_unknown()
            && !prior.is_null()
        {
            plan.planned = prior.clone();
        }
    }
}

/// Replace only when `pred(prior, planned)` says so (e.g. shrinking a disk but not growing it).
pub fn requires_replace_if<F>(description: &str, pred: F) -> RequiresReplaceIf<F>
where
    F: Fn(&Value, &Value) -> bool + Send + Sync,
{
    RequiresReplaceIf(description.to_owned(), pred)
}

pub struct RequiresReplaceIf<F>(String, F);

impl<F> PlanModifier for RequiresReplaceIf<F>
where
    F: Fn(&Value, &Value) -> bool + Send + Sync,
{
    fn description(&self) -> String {
        self.0.clone()
    }
    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if let Some(prior) = plan.prior
            && *prior != plan.planned
            && (self.1)(prior, &plan.planned)
        {
            plan.requires_replace = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan<'a>(
        path: &'a AttributePath,
        prior: Option<&'a Value>,
        planned: Value,
    ) -> AttributePlan<'a> {
        AttributePlan {
            path,
            config: &Value::Null,
            prior,
            planned,
            requires_replace: false,
            resource_changes: true,
        }
    }

    #[test]
    fn requires_replace_only_on_change_of_existing() {
        let p = AttributePath::attr("name");
        let old = Value::from("a");
        let mut same = plan(&p, Some(&old), "a".into());
        RequiresReplace.modify(&mut same);
        assert!(!same.requires_replace);
        let mut changed = plan(&p, Some(&old), "b".into());
        RequiresReplace.modify(&mut changed);
        assert!(changed.requires_replace);
        let mut create = plan(&p, None, "b".into());
        RequiresReplace.modify(&mut create);
        assert!(!create.requires_replace);
    }

    #[test]
    fn use_state_for_unknown_keeps_prior() {
        let p = AttributePath::attr("id");
        let old = Value::from("id-1");
        let mut m = plan(&p, Some(&old), Value::Unknown);
        UseStateForUnknown.modify(&mut m);
        assert_eq!(m.planned, old);
        let mut create = plan(&p, None, Value::Unknown);
        UseStateForUnknown.modify(&mut create);
        assert!(create.planned.is_unknown());
    }
}
