//! An AKS cluster's Kubernetes API as a user's own tooling reaches it, outside
//! Terraform: an Entra token for the AKS server application (the client the emulator
//! printed, as kubelogin's service-principal mode gets one), then a plain https GET of
//! the API server the emulator runs for the cluster, trusting its CA. The stories read
//! what only the API holds (annotations, labels) with it; `curl`, as [`crate::arm`]'s
//! calls go, each limited to 30 s.

use acceptance_tests::MlcloudEmulator;
use serde_json::Value;
use std::process::Command;

/// The AKS server application's scope (the same in every tenant).
const AKS_SERVER_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630%2F.default";

/// `GET {path}` on the API server of the cluster `cluster_id` (its ARM id): the
/// status and the body (`Null` when not JSON).
#[track_caller]
pub fn get(emulator: &MlcloudEmulator, cluster_id: &str, path: &str) -> (u16, Value) {
    let records = emulator.records().expect("records");
    let cluster = &records["kubernetes"]["clusters"][cluster_id.to_lowercase()];
    let server = cluster["endpoint"]
        .as_str()
        .unwrap_or_else(|| panic!("no API server for {cluster_id}: {records}"));
    let ca_file = emulator.ready()["kubernetes"]["ca_file"]
        .as_str()
        .expect("the kubernetes part's CA file")
        .to_owned();
    let token = aks_token(emulator);
    curl(
        &ca_file,
        "GET",
        &format!("{server}{path}"),
        &["-H", &format!("Authorization: Bearer {token}")],
    )
}

#[track_caller]
fn aks_token(emulator: &MlcloudEmulator) -> String {
    let azure = &emulator.ready()["azure"];
    let field = |name: &str| azure[name].as_str().unwrap_or_default().to_owned();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope={AKS_SERVER_SCOPE}",
        field("client_id"),
        field("client_secret")
    );
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        field("active_directory"),
        field("tenant_id")
    );
    let (status, body) = curl(&field("ca_file"), "POST", &url, &["-d", &form]);
    assert_eq!(
        status, 200,
        "a token for the AKS server application: {body}"
    );
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

#[track_caller]
fn curl(ca_file: &str, method: &str, url: &str, args: &[&str]) -> (u16, Value) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "30", "--cacert", ca_file])
        .args(["-X", method, "-w", "\n%{http_code}", url])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "{method} {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (
        status.trim().parse().unwrap_or_default(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}
