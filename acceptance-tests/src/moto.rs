//! AWS for the scenarios: moto in server mode, started from the project's venv by
//! [`EmulatorCommand`](crate::emulator::EmulatorCommand) on a free 127.0.0.1 port, one
//! server per test, killed when the [`Moto`] is dropped; and in front of it
//! `mlcloud-emulator --moto URL`, whose `aws` part is what the provider talks to
//! ([`Moto::endpoint`]): it forwards to moto, serves the EKS routes moto lacks (access
//! entries, updates, version upgrades) and takes scripted faults
//! ([`Moto::emulator`]). The SDK clients of [`Moto::sdk`] read moto directly.
//!
//! ```no_run
//! use acceptance_tests::{Moto, TestResult};
//!
//! fn scenario() -> TestResult {
//!     let moto = Moto::start()?;
//!     let network = moto.sdk().create_network()?;
//!     let provider = moto.provider_block(r#"default_tags = { team = "ml-platform" }"#);
//!     // ... write `provider` and resources using `network.subnet_ids`, apply ...
//!     let sdk = moto.sdk();
//!     let clusters = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
//!     assert!(clusters.clusters().is_empty());
//!     assert!(moto.requests()?.iter().all(|request| !request.is_mutating()));
//!     // What the provider sent, as the emulator in front of moto logged it.
//!     let log = moto.emulator().requests("aws")?;
//!     assert!(log.iter().all(|request| request["status"] == 200));
//!     Ok(())
//! }
//! ```
//!
//! Moto records every request it serves (its recorder, switched on at start), so a
//! scenario can also check what the provider *sent* where moto keeps no record of it
//! (e.g. the KMS rotation period, which moto 5.2 drops).

mod command;
mod encoding;
mod error;
mod network;
mod recording;
mod sdk;

use std::path::PathBuf;
use std::time::Duration;

use tempfile::TempDir;

use crate::emulator::EmulatorProcess;
use crate::hcl::hcl_string;
use crate::http;
use crate::mlcloud_emulator::MlcloudEmulator;

pub use command::{moto_server_path, server_command};
pub use encoding::{percent_decode, policy_document};
pub use error::MotoError;
pub use network::Network;
pub use recording::AwsRequest;
pub use sdk::{MotoSdk, SDK_CALL_TIMEOUT};

/// The region every scenario uses; moto serves all regions, the provider block names one.
pub const REGION: &str = "us-east-1";

/// The account moto plays (its default), as it appears in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// Static test credentials: moto checks that requests are SigV4-signed, not by whom.
pub const ACCESS_KEY: &str = "testing";
pub const SECRET_KEY: &str = "testing";

/// What a provider that takes its credentials from the standard chain (as the
/// `examples/aws-*` modules do) needs in its environment to talk to moto: the static
/// test keys, the region, and no instance-metadata lookups.
pub const CREDENTIALS_ENV: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
    ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
    ("AWS_REGION", REGION),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

/// The services of the provider's `aws { endpoints { ... } }` block, all pointed at the
/// emulator's aws endpoint.
pub const ENDPOINT_SERVICES: [&str; 5] = ["eks", "kms", "iam", "sts", "ec2"];

/// How long a moto-api call (reset) may take.
const API_TIMEOUT: Duration = Duration::from_secs(10);

/// One running moto server, with SDK clients pointed at it. Dropping it kills the
/// server (a panicking test too); the server also dies with the test process.
pub struct Moto {
    // Declared first so it is dropped first: nothing forwards to moto once it stops.
    emulator: MlcloudEmulator,
    // Then moto, which stops before its scratch directory (the recording) is removed.
    process: EmulatorProcess,
    port: u16,
    endpoint: String,
    sdk: MotoSdk,
    scratch: TempDir,
}

impl Moto {
    /// Starts `.venv/bin/moto_server` (installed by scripts/setup) on a free port,
    /// then `mlcloud-emulator --moto` in front of it, and waits until both answer.
    /// Fails, never skips, when moto or the emulator's binary is missing.
    pub fn start() -> Result<Moto, MotoError> {
        Self::start_program(moto_server_path())
    }

    fn start_program(program: PathBuf) -> Result<Moto, MotoError> {
        let scratch = tempfile::Builder::new()
            .prefix("mlcloud-moto-")
            .tempdir()
            .map_err(|source| MotoError::Scratch { source })?;
        let process =
            command::recording_into(command::command_for(program), scratch.path()).start()?;
        // Always set: the command asks for a port.
        let port = process.port().unwrap_or_default();
        let sdk = MotoSdk::new(&endpoint_of(port))?;
        let emulator = MlcloudEmulator::start(&["--moto", &endpoint_of(port)])
            .map_err(|error| MotoError::FrontEmulator(Box::new(error)))?;
        let endpoint = emulator.ready()["aws"]["endpoint"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| MotoError::Api {
                request: "mlcloud-emulator's ready line".into(),
                detail: format!("no aws endpoint in {}", emulator.ready()),
            })?;
        Ok(Moto {
            emulator,
            process,
            port,
            endpoint,
            sdk,
            scratch,
        })
    }

    /// `http://127.0.0.1:PORT`, the one endpoint of every AWS service the provider
    /// talks to: the aws part of mlcloud-emulator, in front of moto.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// moto's own port (its admin API, the SDK clients of [`sdk`](Self::sdk)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The emulator in front of moto: scripted faults, the request log, the EKS
    /// records moto does not keep.
    pub fn emulator(&self) -> &MlcloudEmulator {
        &self.emulator
    }

    /// SDK clients (KMS, IAM, EKS, EC2) for reading and changing what moto holds.
    pub fn sdk(&self) -> &MotoSdk {
        &self.sdk
    }

    /// The override API of the emulator in front of moto (`https://127.0.0.1:P`), where
    /// the provider reaches every EKS cluster's Kubernetes API (moto has none), and
    /// the emulator's CA file.
    pub fn kubernetes_endpoint(&self) -> (String, String) {
        let ready = self.emulator.ready();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        (
            text(&ready["kubernetes"]["endpoint"]),
            text(&ready["ca_file"]),
        )
    }

    /// The contract's provider block: region, static test keys, every endpoint
    /// pointed at this server, the clusters' Kubernetes API at the emulator's override
    /// API (trusting its CA); `extra` (e.g. `default_tags = { ... }`) goes inside it.
    pub fn provider_block(&self, extra: &str) -> String {
        let endpoint = hcl_string(&self.endpoint());
        let (kubernetes, ca_file) = self.kubernetes_endpoint();
        let endpoints: String = ENDPOINT_SERVICES
            .iter()
            .map(|service| format!("      {service} = {endpoint}\n"))
            .chain(std::iter::once(format!(
                "      kubernetes = {}\n",
                hcl_string(&kubernetes)
            )))
            .collect();
        let extra: String = extra.lines().map(|line| format!("  {line}\n")).collect();
        format!(
            r#"provider "mlcloud" {{
  aws {{
    region     = {region}
    access_key = {access_key}
    secret_key = {secret_key}
    ca_certificate_file = {ca_file}
    endpoints {{
{endpoints}    }}
  }}
{extra}}}
"#,
            region = hcl_string(REGION),
            access_key = hcl_string(ACCESS_KEY),
            secret_key = hcl_string(SECRET_KEY),
            ca_file = hcl_string(&ca_file),
        )
    }

    /// Forgets every AWS object and every recorded request (`POST /moto-api/reset`),
    /// and empties the emulator in front (its records, faults and request log).
    pub fn reset(&self) -> Result<(), MotoError> {
        self.emulator
            .reset()
            .map_err(|error| MotoError::FrontEmulator(Box::new(error)))?;
        for path in ["/moto-api/reset", "/moto-api/recorder/reset-recording"] {
            let status =
                http::status(self.port(), "POST", path, API_TIMEOUT).map_err(|source| {
                    MotoError::Api {
                        request: format!("POST {path}"),
                        detail: source.to_string(),
                    }
                })?;
            if status != 200 {
                return Err(MotoError::Api {
                    request: format!("POST {path}"),
                    detail: format!("HTTP {status}"),
                });
            }
        }
        Ok(())
    }

    /// The AWS requests others (the provider) sent since start or the last
    /// [`reset`](Self::reset), oldest first; the harness's own SDK calls are left out.
    pub fn requests(&self) -> Result<Vec<AwsRequest>, MotoError> {
        Ok(recording::read(&self.recording_path())?
            .into_iter()
            .filter(|request| !request.is_from_harness())
            .collect())
    }

    /// What moto printed: one line per request, and any traceback.
    pub fn log(&self) -> String {
        self.process.log()
    }

    fn recording_path(&self) -> PathBuf {
        command::recording_path(self.scratch.path())
    }
}

fn endpoint_of(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    #[test]
    fn serves_records_resets_and_stops() {
        let moto = Moto::start().unwrap();
        let port = moto.port();
        let sdk = moto.sdk();
        let network = sdk.create_network().unwrap();
        assert_eq!(network.subnet_ids.len(), 2);
        assert!(network.security_group_id.starts_with("sg-"));
        assert!(
            moto.requests().unwrap().is_empty(),
            "the harness's own calls are not the provider's"
        );

        moto.reset().unwrap();
        let vpcs = sdk
            .call("ec2 DescribeVpcs", sdk.ec2.describe_vpcs().send())
            .unwrap();
        assert!(
            vpcs.vpcs()
                .iter()
                .all(|vpc| vpc.vpc_id() != Some(network.vpc_id.as_str())),
            "reset forgets the VPC"
        );

        drop(moto);
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "the server is gone once dropped"
        );
    }

    #[test]
    fn a_missing_moto_server_says_to_run_setup() {
        let error = Moto::start_program("/nonexistent/moto_server".into())
            .err()
            .expect("no moto there")
            .to_string();
        assert!(error.contains("/nonexistent/moto_server"), "{error}");
        assert!(error.contains("run scripts/setup"), "{error}");
    }

    #[test]
    fn provider_block_points_every_endpoint_at_the_emulator_in_front_of_moto() {
        let moto = Moto::start().unwrap();
        let block = moto.provider_block("default_tags = { team = \"ml\" }");
        let endpoint = format!("\"{}\"", moto.endpoint());
        assert_ne!(
            moto.endpoint(),
            endpoint_of(moto.port()),
            "the provider talks to the emulator in front of moto"
        );
        for service in ENDPOINT_SERVICES {
            assert!(
                block.contains(&format!("      {service} = {endpoint}\n")),
                "{block}"
            );
        }
        assert!(block.contains("region     = \"us-east-1\""), "{block}");
        assert!(
            block.ends_with("  default_tags = { team = \"ml\" }\n}\n"),
            "{block}"
        );
    }
}
