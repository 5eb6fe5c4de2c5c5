//! The `kubernetes` part of `mlcloud-emulator` against the official Kubernetes Python
//! client: `acceptance-tests/emulators/contract/kubernetes_client_contract.py` registers
//! a node as a kubelet does, walks create / replace / merge patch / server-side apply /
//! delete with the refusals a client branches on, rolls a Deployment of the smoke image
//! out (and through an unpullable image and back), and reaches the real
//! `mlcloud-smoke` server through the service proxy. This test starts the emulator
//! (which finds `mlcloud-smoke` beside itself in the cargo target directory), runs the
//! script over https with the emulator's CA, and checks what the emulator holds and
//! logged afterwards.

use std::process::Command;
use std::time::Duration;

use acceptance_tests::paths::repo_root;
use acceptance_tests::{
    CommandOutput, HarnessError, MlcloudEmulator, TestResult, run_with_timeout,
};
use serde_json::{Value, json};

const SCRIPT: &str = "acceptance-tests/emulators/contract/kubernetes_client_contract.py";

fn run_script(emulator: &MlcloudEmulator) -> Result<CommandOutput, HarnessError> {
    let mut command = Command::new(repo_root().join(".venv/bin/python"));
    command
        .current_dir(repo_root())
        .arg(SCRIPT)
        .arg(emulator.ready().to_string());
    run_with_timeout(command, Duration::from_secs(240))
}

#[test]
fn the_kubernetes_python_client_walks_objects_a_rollout_and_the_service_proxy() -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let ready = &emulator.ready()["kubernetes"];
    assert!(
        ready["endpoint"]
            .as_str()
            .is_some_and(|e| e.starts_with("https://127.0.0.1:")),
        "{ready}"
    );
    let output = run_script(&emulator)?;
    assert_eq!(
        output.code,
        0,
        "{SCRIPT} failed\nstdout:\n{}\nstderr:\n{}\nemulator:\n{}",
        output.stdout,
        output.stderr,
        emulator.log()
    );
    let answer: Value = output
        .stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_default();
    assert_eq!(answer["ok"], json!(true), "{}", output.stdout);

    // What the script made it deleted: the override API is empty again.
    let records = emulator.records()?;
    assert_eq!(
        records["kubernetes"]["override"],
        json!({"objects": [], "nodes": []}),
        "{records}"
    );

    // The request log names the API's verbs, with the refusals' statuses.
    let requests = emulator.requests("kubernetes")?;
    let statuses = |operation: &str| -> Vec<u64> {
        requests
            .iter()
            .filter(|r| r["operation"] == operation)
            .filter_map(|r| r["status"].as_u64())
            .collect()
    };
    assert_eq!(statuses("namespaces.create"), [201, 409, 422]);
    assert_eq!(statuses("pods.create"), [403]);
    assert_eq!(statuses("clusterroles.create"), [201, 422]);
    assert_eq!(statuses("clusterrolebindings.update"), [422]);
    assert_eq!(statuses("serviceaccounts.update"), [200, 409]);
    assert!(statuses("deployments.patch").contains(&409), "{requests:?}");
    assert!(
        statuses("services/proxy.create").contains(&200),
        "{requests:?}"
    );
    assert_eq!(statuses("services/proxy.get").last(), Some(&503));
    Ok(())
}

#[test]
fn tokens_other_than_eks_ones_are_unauthorized_and_faults_answer_as_the_api_server() -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    emulator.add_fault(
        json!({"part": "kubernetes", "operation": "namespaces.list", "nth": 3,
        "action": {"throttle": {"retry_after_seconds": 1}}}),
    )?;
    let script = r#"
import json, runpy, sys
from kubernetes import client
eks_token = runpy.run_path("acceptance-tests/emulators/contract/kubernetes_client_contract.py")["eks_token"]
from kubernetes.client.rest import ApiException
ready = json.loads(sys.argv[1])["kubernetes"]
def api(token):
    c = client.Configuration()
    c.host = ready["endpoint"]
    c.ssl_ca_cert = ready["ca_file"]
    if token:
        c.api_key = {"BearerToken": token}
        c.api_key_prefix = {"BearerToken": "Bearer"}
    return client.CoreV1Api(client.ApiClient(c))
seen = []
for token in [None, "not-an-eks-token", eks_token()]:
    try:
        api(token).list_namespace()
        seen.append(200)
    except ApiException as e:
        body = json.loads(e.body)
        seen.append([e.status, body["reason"], e.headers.get("retry-after")])
seen.append(len(api(eks_token()).list_namespace().items))
print(json.dumps(seen))
"#;
    let mut command = Command::new(repo_root().join(".venv/bin/python"));
    command
        .current_dir(repo_root())
        .args(["-c", script])
        .arg(emulator.ready().to_string());
    let output = run_with_timeout(command, Duration::from_secs(60))?;
    assert_eq!(
        output.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        output.stdout, output.stderr
    );
    let seen: Value = serde_json::from_str(output.stdout.trim()).unwrap_or_default();
    // No token and a token that is not EKS's are refused; the EKS token's request is
    // throttled once, and the client (urllib3 honours Retry-After on a 429) retries it.
    assert_eq!(
        seen,
        json!([
            [401, "Unauthorized", null],
            [401, "Unauthorized", null],
            200,
            4
        ]),
        "{}",
        output.stdout
    );
    let statuses: Vec<u64> = emulator
        .requests("kubernetes")?
        .iter()
        .filter(|r| r["operation"] == "namespaces.list")
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert!(
        statuses.contains(&429),
        "the throttle was answered: {statuses:?}"
    );
    Ok(())
}
