//! What the admins / upgrades / disk keys / model store stories share: the provider
//! block for the emulator's gcp part, the emulator's records, and calls a user's own
//! tooling would make (a bucket, a binding made by hand) with an access token the
//! emulator issued.

use acceptance_tests::MlcloudEmulator;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

pub const TERRAFORM_BLOCK: &str =
    "terraform {\n  required_providers {\n    mlcloud = { source = \"mlcloud/mlcloud\" }\n  }\n}\n";

pub const LOCATION: &str = "us-central1";

fn gcp(emulator: &MlcloudEmulator) -> &Value {
    &emulator.ready()["gcp"]
}

pub fn project(emulator: &MlcloudEmulator) -> String {
    gcp(emulator)["project"].as_str().unwrap_or_default().into()
}

pub fn project_number(emulator: &MlcloudEmulator) -> String {
    gcp(emulator)["project_number"]
        .as_str()
        .unwrap_or_default()
        .into()
}

/// The key file's account as an IAM member: who the provider acts as.
pub fn caller(emulator: &MlcloudEmulator) -> String {
    let path = gcp(emulator)["credentials_file"]
        .as_str()
        .unwrap_or_default();
    let key: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("key file")).expect("key JSON");
    format!(
        "serviceAccount:{}",
        key["client_email"].as_str().unwrap_or_default()
    )
}

/// The provider block: the emulator's key file and its endpoint for every service.
pub fn provider_block(emulator: &MlcloudEmulator) -> String {
    let url = gcp(emulator)["endpoint"].as_str().unwrap_or_default();
    let endpoints: String = [
        "container",
        "cloudkms",
        "iam",
        "resourcemanager",
        "compute",
        "oauth2",
        "storage",
    ]
    .iter()
    .map(|s| format!("      {s} = \"{url}\"\n"))
    .collect();
    format!(
        "provider \"mlcloud\" {{\n  gcp {{\n    project     = \"{}\"\n    region      = \"{LOCATION}\"\n    credentials = \"{}\"\n    endpoints {{\n{endpoints}    }}\n  }}\n}}\n",
        project(emulator),
        gcp(emulator)["credentials_file"]
            .as_str()
            .unwrap_or_default(),
    )
}

/// The gcp part of the emulator's records.
pub fn records(emulator: &MlcloudEmulator) -> Value {
    emulator.records().expect("records")["gcp"].clone()
}

/// Members of `role` on `resource` in the records, whose condition has `expression`
/// (none: unconditional bindings).
pub fn members(
    records: &Value,
    resource: &str,
    role: &str,
    expression: Option<&str>,
) -> BTreeSet<String> {
    records["iam_policies"][resource]["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["role"] == role && b["condition"]["expression"].as_str() == expression)
        .flat_map(|b| b["members"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect()
}

/// One call to the emulator's Google API with curl, as a user's tooling would make
/// it; the JSON answer.
pub fn call(emulator: &MlcloudEmulator, method: &str, path: &str, body: &str) -> Value {
    let url = gcp(emulator)["endpoint"].as_str().unwrap_or_default();
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "--fail-with-body"])
            .args(args)
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{method} {path}: {text}");
        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
    };
    let token = curl(&["-X", "POST", &format!("{url}/_emulator/accessToken")]);
    let bearer = format!(
        "Authorization: Bearer {}",
        token["access_token"].as_str().unwrap_or_default()
    );
    curl(&[
        "-X",
        method,
        &format!("{url}{path}"),
        "-H",
        &bearer,
        "-H",
        "content-type: application/json",
        "-d",
        body,
    ])
}
