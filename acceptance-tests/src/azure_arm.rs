//! Azure Resource Manager as a user's own tooling reaches it, outside Terraform: a
//! token for a client id and secret from Entra's token endpoint, then plain https
//! calls trusting a CA file. Pointed at `mlcloud-emulator`'s azure part (its ready
//! line has everything [`AzureArm::for_emulator`] needs), it makes the resource groups
//! a stack is created in, and changes things behind Terraform's back. Calls go
//! through `curl` (everywhere the scripts run), each limited to 30 s.

use std::process::Command;

use serde_json::{Value, json};

use crate::error::HarnessError;
use crate::mlcloud_emulator::MlcloudEmulator;

/// The resource groups api-version used here (GA, served by ARM and the emulator).
const RESOURCES: &str = "2021-04-01";

/// An ARM client with a token.
#[derive(Debug, Clone)]
pub struct AzureArm {
    base: String,
    subscription: String,
    ca_file: String,
    token: String,
}

/// An ARM answer: the status and the body (`Null` when empty or not JSON).
#[derive(Debug, Clone)]
pub struct ArmAnswer {
    pub status: u16,
    pub body: Value,
}

impl AzureArm {
    /// A client of the emulator's azure part, signed in as the client it printed.
    pub fn for_emulator(emulator: &MlcloudEmulator) -> Result<Self, HarnessError> {
        let azure = &emulator.ready()["azure"];
        let field = |name: &str| azure[name].as_str().unwrap_or_default().to_string();
        let mut arm = Self {
            base: field("resource_manager"),
            subscription: field("subscription_id"),
            ca_file: field("ca_file"),
            token: String::new(),
        };
        arm.token = arm.client_token(emulator, "https%3A%2F%2Fmanagement.azure.com%2F.default")?;
        Ok(arm)
    }

    /// A token Entra (the emulator's azure part) issues to the client it printed for
    /// `scope` (form-encoded), e.g. AKS's server application for a cluster's API:
    /// `6dae42f8-4368-4678-94ff-3960e28e3630%2F.default`.
    pub fn client_token(
        &self,
        emulator: &MlcloudEmulator,
        scope: &str,
    ) -> Result<String, HarnessError> {
        let azure = &emulator.ready()["azure"];
        let field = |name: &str| azure[name].as_str().unwrap_or_default().to_string();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={scope}",
            field("client_id"),
            field("client_secret")
        );
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            field("active_directory"),
            field("tenant_id")
        );
        let answer = self.curl("POST", &url, &["-d", &form])?;
        Ok(answer.body["access_token"]
            .as_str()
            .filter(|_| answer.status == 200)
            .ok_or_else(|| HarnessError::AzureCall {
                request: format!("POST {url}"),
                detail: format!("{} {}", answer.status, answer.body),
            })?
            .to_owned())
    }

    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// `/subscriptions/SUB/resourceGroups/GROUP`.
    pub fn group_id(&self, group: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{group}",
            self.subscription
        )
    }

    /// Creates (or keeps) the resource group `group` in `location`.
    pub fn create_group(&self, group: &str, location: &str) -> Result<(), HarnessError> {
        let id = self.group_id(group);
        let answer = self.call("PUT", &id, RESOURCES, Some(&json!({"location": location})))?;
        if answer.status == 200 || answer.status == 201 {
            Ok(())
        } else {
            Err(HarnessError::AzureCall {
                request: format!("PUT {id}"),
                detail: format!("{} {}", answer.status, answer.body),
            })
        }
    }

    /// One ARM request on `id` (a path under the ARM endpoint), whatever its status.
    pub fn call(
        &self,
        method: &str,
        id: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<ArmAnswer, HarnessError> {
        let url = format!("{}{id}?api-version={api_version}", self.base);
        let auth = format!("Authorization: Bearer {}", self.token);
        let text = body.map(Value::to_string);
        let mut args = vec!["-H", auth.as_str()];
        if let Some(text) = &text {
            args.extend(["-H", "content-type: application/json", "-d", text]);
        }
        self.curl(method, &url, &args)
    }

    fn curl(&self, method: &str, url: &str, args: &[&str]) -> Result<ArmAnswer, HarnessError> {
        let request = format!("{method} {url}");
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "30", "--cacert", &self.ca_file])
            .args(["-X", method, "-w", "\n%{http_code}", url])
            .args(args)
            .output()
            .map_err(|source| HarnessError::Spawn {
                command: "curl".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(HarnessError::AzureCall {
                request,
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
        Ok(ArmAnswer {
            status: status.trim().parse().unwrap_or_default(),
            body: serde_json::from_str(body).unwrap_or(Value::Null),
        })
    }
}
