//! Answers for protocol features no tfplug provider offers yet (list resources, actions,
//! resource identity upgrades): a clear error diagnostic rather than a transport error,
//! so Terraform shows the user what happened.

use super::convert::diagnostics;
use crate::diag::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;

pub fn not_offered(kind: &str, name: &str) -> Vec<pb::Diagnostic> {
    diagnostics(&Diagnostics::from(Diagnostic::error(
        format!("Unknown {kind}"),
        format!("This provider offers no {kind} named \"{name}\"."),
    )))
}

pub fn list_event(name: &str) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: not_offered("list resource", name),
        ..Default::default()
    }
}

pub fn action_completed(name: &str) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(pb::invoke_action::event::Type::Completed(
            pb::invoke_action::event::Completed {
                diagnostics: not_offered("action", name),
            },
        )),
    }
}
