//! `with-emulators [--aws-network | --gcp] -- COMMAND [ARG...]`
//!
//! Runs COMMAND against the local emulators the acceptance tests use, started the same
//! way (acceptance_tests::emulator), and stops them when it ends: what `scripts/try`
//! uses to apply an example against moto (or, with `--gcp`, mlcloud-emulator's gcp part). COMMAND gets none of the caller's cloud
//! settings (`AWS_*`, `ARM_*`, `AZURE_*`, `GOOGLE_*`, `CLOUDSDK_*`, `KUBECONFIG`), and
//! then:
//!
//! - `MLCLOUD_AWS_ENDPOINT`: the aws part of `mlcloud-emulator`, in front of moto,
//!   `http://127.0.0.1:PORT` (moto, completed with the EKS routes it lacks);
//! - `MLCLOUD_EMULATOR_ADMIN`: that emulator's admin route, for scripted faults and its
//!   request log (acceptance-tests/emulators/README.md);
//! - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//!   `AWS_EC2_METADATA_DISABLED`: moto's static test credentials;
//! - with `--aws-network`, `MLCLOUD_AWS_SUBNET_IDS`: a VPC with two subnets created in
//!   moto, as a list Terraform reads (`["subnet-...", "subnet-..."]`).
//!
//! With `--gcp`, no moto: `mlcloud-emulator` alone, and instead of the AWS variables
//! `MLCLOUD_GCP_ENDPOINT` (its gcp part, every Google API on one URL),
//! `MLCLOUD_GCP_PROJECT` (the project it plays) and `MLCLOUD_GCP_CREDENTIALS` (the
//! service-account key file it generated), besides `MLCLOUD_EMULATOR_ADMIN`.
//!
//! The exit status is COMMAND's. Should this process be killed, the kernel stops the
//! emulators with it.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};

use acceptance_tests::moto::{CREDENTIALS_ENV, Moto, MotoError};
use acceptance_tests::{HarnessError, MlcloudEmulator, clean_env};

const USAGE: &str = "usage: with-emulators [--aws-network | --gcp] -- COMMAND [ARG...]";

#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Moto(#[from] MotoError),
    #[error(transparent)]
    Emulator(#[from] HarnessError),
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
}

struct Options {
    aws_network: bool,
    gcp: bool,
    command: Vec<OsString>,
}

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1)).and_then(|options| run(&options)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("with-emulators: {error}");
            ExitCode::from(2)
        }
    }
}

fn parse(mut args: impl Iterator<Item = OsString>) -> Result<Options, Error> {
    let mut aws_network = false;
    let mut gcp = false;
    loop {
        match args.next() {
            None => return Err(Error::Usage("no command after --".into())),
            Some(arg) if arg == "--" => break,
            Some(arg) if arg == "--aws-network" => aws_network = true,
            Some(arg) if arg == "--gcp" => gcp = true,
            Some(arg) => {
                return Err(Error::Usage(format!(
                    "unknown option {}",
                    arg.to_string_lossy()
                )));
            }
        }
    }
    let command: Vec<OsString> = args.collect();
    if command.is_empty() {
        return Err(Error::Usage("no command after --".into()));
    }
    if aws_network && gcp {
        return Err(Error::Usage("--aws-network is for moto, not --gcp".into()));
    }
    Ok(Options {
        aws_network,
        gcp,
        command,
    })
}

fn run(options: &Options) -> Result<ExitCode, Error> {
    if options.gcp {
        return run_gcp(options);
    }
    let moto = Moto::start()?;
    let mut command = Command::new(&options.command[0]);
    command.args(&options.command[1..]);
    clean_env::remove_cloud_settings(&mut command);
    command
        .envs(CREDENTIALS_ENV)
        .env("MLCLOUD_AWS_ENDPOINT", moto.endpoint())
        .env(
            "MLCLOUD_EMULATOR_ADMIN",
            moto.emulator().ready()["admin"]
                .as_str()
                .unwrap_or_default(),
        );
    if options.aws_network {
        let network = moto.sdk().create_network()?;
        let subnet_ids =
            serde_json::to_string(&network.subnet_ids).expect("a list of strings is JSON");
        command.env("MLCLOUD_AWS_SUBNET_IDS", subnet_ids);
    }
    wait_for(command, options)
}

/// COMMAND against `mlcloud-emulator`'s gcp part alone.
fn run_gcp(options: &Options) -> Result<ExitCode, Error> {
    let emulator = MlcloudEmulator::start(&[])?;
    let gcp = &emulator.ready()["gcp"];
    let field = |name: &str| gcp[name].as_str().unwrap_or_default().to_string();
    let mut command = Command::new(&options.command[0]);
    command.args(&options.command[1..]);
    clean_env::remove_cloud_settings(&mut command);
    command
        .env("MLCLOUD_GCP_ENDPOINT", field("endpoint"))
        .env("MLCLOUD_GCP_PROJECT", field("project"))
        .env("MLCLOUD_GCP_CREDENTIALS", field("credentials_file"))
        .env(
            "MLCLOUD_EMULATOR_ADMIN",
            emulator.ready()["admin"].as_str().unwrap_or_default(),
        );
    wait_for(command, options)
}

/// Runs `command` to its end; its exit status as ours.
fn wait_for(mut command: Command, options: &Options) -> Result<ExitCode, Error> {
    let status = command.status().map_err(|source| Error::Spawn {
        command: options.command[0].to_string_lossy().into_owned(),
        source,
    })?;
    // Killed by a signal: the shell's convention, 128 + its number.
    let code = status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
