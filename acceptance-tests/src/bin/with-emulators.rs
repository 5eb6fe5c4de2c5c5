//! `with-emulators [--aws-network] -- COMMAND [ARG...]`
//!
//! Runs COMMAND against the local emulators the acceptance tests use, started the same
//! way (acceptance_tests::emulator), and stops them when it ends: what `scripts/try`
//! uses to apply an example against moto. COMMAND gets none of the caller's cloud
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
//! The exit status is COMMAND's. Should this process be killed, the kernel stops the
//! emulators with it.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};

use acceptance_tests::clean_env;
use acceptance_tests::moto::{CREDENTIALS_ENV, Moto, MotoError};

const USAGE: &str = "usage: with-emulators [--aws-network] -- COMMAND [ARG...]";

#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Moto(#[from] MotoError),
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
}

struct Options {
    aws_network: bool,
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
    loop {
        match args.next() {
            None => return Err(Error::Usage("no command after --".into())),
            Some(arg) if arg == "--" => break,
            Some(arg) if arg == "--aws-network" => aws_network = true,
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
    Ok(Options {
        aws_network,
        command,
    })
}

fn run(options: &Options) -> Result<ExitCode, Error> {
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
