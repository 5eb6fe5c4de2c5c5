//! A developer's real cloud credentials must never reach a test: every process the
//! harness starts (terraform and the providers it runs, emulators, `with-emulators`'
//! command) loses the variables the clouds' SDKs and CLIs read, and then gets only
//! what the test sets.

use std::ffi::OsStr;
use std::process::Command;

/// Variables read by the AWS SDK (`AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, ...), the Azure
/// SDK and CLI (`ARM_*` is also what azurerm reads), the Google SDKs and gcloud.
const PREFIXES: [&str; 5] = ["AWS_", "ARM_", "AZURE_", "GOOGLE_", "CLOUDSDK_"];

/// Kubernetes clients: kubectl and client-go (`KUBECONFIG`), Terraform's kubernetes
/// and helm providers (`KUBE_CONFIG_PATH(S)`).
const NAMES: [&str; 3] = ["KUBECONFIG", "KUBE_CONFIG_PATH", "KUBE_CONFIG_PATHS"];

/// Whether `name` is a variable that could carry cloud or cluster credentials.
pub fn is_cloud_setting(name: &OsStr) -> bool {
    name.to_str().is_some_and(|name| {
        PREFIXES.iter().any(|prefix| name.starts_with(prefix)) || NAMES.contains(&name)
    })
}

/// Removes from `command`'s environment every cloud setting this process has; call it
/// before setting the ones the test wants, which then win.
pub fn remove_cloud_settings(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if is_cloud_setting(&name) {
            command.env_remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clouds_credentials_are_cloud_settings() {
        for name in [
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SHARED_CREDENTIALS_FILE",
            "ARM_CLIENT_SECRET",
            "AZURE_CLIENT_ID",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "CLOUDSDK_CORE_PROJECT",
            "KUBECONFIG",
            "KUBE_CONFIG_PATH",
        ] {
            assert!(is_cloud_setting(OsStr::new(name)), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "TF_LOG",
            "AWSOME",
            "KUBECONFIGS",
            "MY_AWS_KEY",
        ] {
            assert!(!is_cloud_setting(OsStr::new(name)), "{name}");
        }
    }
}
