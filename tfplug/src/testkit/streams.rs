//! The streaming features of Terraform 1.14: actions (progress, then a completion) and
//! list resources (found objects one by one), collected for assertions.

use super::client::{TestClient, caps, dv, undv};
use super::convert::diagnostics;
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::value::Value;
use futures::StreamExt;
use pb::provider_server::Provider as Rpc;
use tonic::Request;

/// What an action invocation streamed.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The progress messages, in order.
    pub progress: Vec<String>,
    /// The completion's diagnostics.
    pub diagnostics: Diagnostics,
    /// How many completion events came (the protocol wants exactly one).
    pub completions: usize,
}

/// One object a list resource found.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub display_name: String,
    pub identity: Value,
    /// Only when the listing asked for resource objects.
    pub state: Option<Value>,
}

/// What a listing streamed.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub items: Vec<Listed>,
    pub diagnostics: Diagnostics,
}

impl TestClient {
    fn action_type(&self, action: &str) -> crate::value::Type {
        self.service()
            .action_schema(action)
            .unwrap_or_else(|| panic!("no action {action}"))
            .value_type()
    }

    /// Validates, plans and invokes action `action` with `config` (attributes left out
    /// are null). Validation or plan errors come back without an invocation.
    pub async fn invoke_action(&self, action: &str, config: Value) -> Invocation {
        let ty = self.action_type(action);
        let config = super::client::complete_object(&ty, config);
        let v = self
            .service()
            .validate_action_config(Request::new(pb::validate_action_config::Request {
                type_name: action.into(),
                config: Some(dv(&config, &ty)),
            }))
            .await
            .expect("ValidateActionConfig")
            .into_inner();
        let mut diags = diagnostics(&v.diagnostics);
        if !diags.has_errors() {
            let p = self
                .service()
                .plan_action(Request::new(pb::plan_action::Request {
                    action_type: action.into(),
                    config: Some(dv(&config, &ty)),
                    client_capabilities: caps(),
                }))
                .await
                .expect("PlanAction")
                .into_inner();
            diags.extend(diagnostics(&p.diagnostics));
        }
        if diags.has_errors() {
            return Invocation {
                diagnostics: diags,
                ..Default::default()
            };
        }
        let mut events = self
            .service()
            .invoke_action(Request::new(pb::invoke_action::Request {
                action_type: action.into(),
                config: Some(dv(&config, &ty)),
                client_capabilities: caps(),
            }))
            .await
            .expect("InvokeAction")
            .into_inner();
        let mut run = Invocation::default();
        while let Some(event) = events.next().await {
            use pb::invoke_action::event::Type;
            match event.expect("an event").r#type {
                Some(Type::Progress(p)) => run.progress.push(p.message),
                Some(Type::Completed(c)) => {
                    run.completions += 1;
                    run.diagnostics.extend(diagnostics(&c.diagnostics));
                }
                None => {}
            }
        }
        run
    }

    /// Validates and runs list resource `type_name` with `config` (its `config { }`
    /// block), as `terraform query` does; `limit` 0 means no limit.
    pub async fn list(
        &self,
        type_name: &str,
        config: Value,
        include_resource_object: bool,
        limit: i64,
    ) -> Listing {
        let ty = self
            .service()
            .list_schema(type_name)
            .unwrap_or_else(|| panic!("no list resource {type_name}"))
            .value_type();
        let config = super::client::complete_object(&ty, config);
        let v = self
            .service()
            .validate_list_resource_config(Request::new(
                pb::validate_list_resource_config::Request {
                    type_name: type_name.into(),
                    config: Some(dv(&config, &ty)),
                    ..Default::default()
                },
            ))
            .await
            .expect("ValidateListResourceConfig")
            .into_inner();
        let d = diagnostics(&v.diagnostics);
        if d.has_errors() {
            return Listing {
                items: Vec::new(),
                diagnostics: d,
            };
        }
        let state_type = self.resource_schema(type_name).value_type();
        let mut events = self
            .service()
            .list_resource(Request::new(pb::list_resource::Request {
                type_name: type_name.into(),
                config: Some(dv(&config, &ty)),
                include_resource_object,
                limit,
            }))
            .await
            .expect("ListResource")
            .into_inner();
        let mut listing = Listing::default();
        while let Some(event) = events.next().await {
            let event = event.expect("an event");
            listing.diagnostics.extend(diagnostics(&event.diagnostic));
            if let Some(identity) = self.identity_value(type_name, event.identity.as_ref()) {
                listing.items.push(Listed {
                    display_name: event.display_name,
                    identity,
                    state: event
                        .resource_object
                        .as_ref()
                        .map(|o| undv(Some(o), &state_type)),
                });
            }
        }
        listing
    }
}
