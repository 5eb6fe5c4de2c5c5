//! Protocol diagnostics back into tfplug's, for assertions in tests.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::proto::tfplugin6 as pb;
use crate::value::AttributePath;

pub fn diagnostics(ds: &[pb::Diagnostic]) -> Diagnostics {
    ds.iter().map(diagnostic).collect()
}

fn diagnostic(d: &pb::Diagnostic) -> Diagnostic {
    let severity = if d.severity == pb::diagnostic::Severity::Warning as i32 {
        Severity::Warning
    } else {
        Severity::Error
    };
    Diagnostic {
        severity,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(path),
    }
}

pub fn path(p: &pb::AttributePath) -> AttributePath {
    use pb::attribute_path::step::Selector;
    p.steps
        .iter()
        .fold(AttributePath::root(), |acc, s| match &s.selector {
            Some(Selector::AttributeName(n)) => acc.push_attr(n),
            Some(Selector::ElementKeyString(k)) => acc.push_key(k),
            Some(Selector::ElementKeyInt(i)) => acc.push_index(*i),
            None => acc,
        })
}
