//! The kubeconfigs `listClusterUserCredential` / `listClusterAdminCredential` answer:
//! the API server's host, the emulator's CA, and kubelogin for managed Entra ID.

use base64::Engine;
use serde_json::json;

use crate::azure::model::{Resource, State};
use crate::azure::time::guid;

/// A cluster's kubeconfig (YAML); `admin` gives the static admin credential.
pub fn kubeconfig(state: &State, cluster: &Resource, admin: bool) -> String {
    let p = cluster.properties();
    let host = p["fqdn"]
        .as_str()
        .or(p["privateFQDN"].as_str())
        .unwrap_or_default();
    // The emulated API server's `127.0.0.1:PORT` carries its port already.
    let server = if host.contains(':') {
        format!("https://{host}")
    } else {
        format!("https://{host}:443")
    };
    let name = cluster.name();
    let ca = base64::engine::general_purpose::STANDARD.encode(&state.ca_pem);
    let user = if admin || p["aadProfile"]["managed"] != json!(true) {
        format!("    token: {}\n", guid().replace('-', ""))
    } else {
        format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args:\n      - get-token\n      - --environment\n      - AzurePublicCloud\n      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n      - --client-id\n      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n      - --tenant-id\n      - {}\n      - --login\n      - devicecode\n      interactiveMode: IfRequired\n      provideClusterInfo: false\n",
            state.tenant_id
        )
    };
    let role = if admin { "clusterAdmin" } else { "clusterUser" };
    let group = cluster.id.split('/').nth(4).unwrap_or_default();
    format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {role}_{group}_{name}\n  name: {name}\ncurrent-context: {name}\nkind: Config\npreferences: {{}}\nusers:\n- name: {role}_{group}_{name}\n  user:\n{user}"
    )
}
