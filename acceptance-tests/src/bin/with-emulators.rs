//! `with-emulators [--aws-network] [--eks-kubelets CLUSTER] -- COMMAND [ARG...]`
//! `with-emulators --azure [--azure-group NAME]... -- COMMAND [ARG...]`
//! `with-emulators --gcp -- COMMAND [ARG...]`
//!
//! Runs COMMAND against the local emulators the acceptance tests use, started the same
//! way (acceptance_tests::emulator), and stops them when it ends: what `scripts/try`
//! uses to apply an example against moto or mlcloud-emulator's azure part. COMMAND
//! gets none of the caller's cloud settings (`AWS_*`, `ARM_*`, `AZURE_*`, `GOOGLE_*`,
//! `CLOUDSDK_*`, `KUBECONFIG`), and then, for AWS (the default):
//!
//! - `MLCLOUD_AWS_ENDPOINT`: the aws part of `mlcloud-emulator`, in front of moto,
//!   `http://127.0.0.1:PORT` (moto, completed with the EKS routes it lacks);
//! - `MLCLOUD_EMULATOR_ADMIN`: that emulator's admin route, for scripted faults and its
//!   request log (acceptance-tests/emulators/README.md);
//! - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//!   `AWS_EC2_METADATA_DISABLED`: moto's static test credentials;
//! - `MLCLOUD_AWS_KUBERNETES_ENDPOINT`, `MLCLOUD_AWS_CA_CERTIFICATE_FILE`: the
//!   emulator's Kubernetes API for every EKS cluster in moto (which has none), for the
//!   provider's `endpoints { kubernetes }`, and the CA file its `ca_certificate_file`
//!   must trust;
//! - with `--aws-network`, `MLCLOUD_AWS_SUBNET_IDS`: a VPC with two subnets created in
//!   moto, as a list Terraform reads (`["subnet-...", "subnet-..."]`).
//!
//! With `--eks-kubelets CLUSTER`, the nodes of that EKS cluster's node groups join that
//! API while COMMAND runs, as kubelets would (acceptance_tests::eks_kubelets): what a
//! serving endpoint's pods need to be scheduled.
//!
//! With `--azure`, mlcloud-emulator alone (no moto), and:
//!
//! - `ARM_SUBSCRIPTION_ID`, `ARM_TENANT_ID`, `ARM_CLIENT_ID`, `ARM_CLIENT_SECRET`: the
//!   credentials the emulator printed (the provider's `azure {}` block reads them);
//! - `ARM_CA_CERTIFICATE_FILE`: its test CA, which the provider then trusts;
//! - `MLCLOUD_AZURE_RESOURCE_MANAGER`, `MLCLOUD_AZURE_ACTIVE_DIRECTORY`: its ARM and
//!   Entra endpoints, `https://127.0.0.1:PORT`;
//! - `MLCLOUD_EMULATOR_ADMIN`: its admin route;
//! - each `--azure-group NAME` made as a resource group in westeurope (mlcloud
//!   creates resources in groups it does not own).
//!
//! With `--gcp`, mlcloud-emulator alone (no moto), and `MLCLOUD_GCP_ENDPOINT` (its gcp
//! part, every Google API on one URL), `MLCLOUD_GCP_PROJECT` (the project it plays),
//! `MLCLOUD_GCP_CREDENTIALS` (the service-account key file it generated) and
//! `MLCLOUD_EMULATOR_ADMIN`.
//!
//! The exit status is COMMAND's. Should this process be killed, the kernel stops the
//! emulators with it.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};

use acceptance_tests::azure_arm::AzureArm;
use acceptance_tests::moto::{CREDENTIALS_ENV, Moto, MotoError};
use acceptance_tests::{EksKubelets, EksKubeletsError, HarnessError, MlcloudEmulator, clean_env};

const USAGE: &str = "usage: with-emulators [--aws-network] [--eks-kubelets CLUSTER] -- COMMAND [ARG...]\n       with-emulators --azure [--azure-group NAME]... -- COMMAND [ARG...]\n       with-emulators --gcp -- COMMAND [ARG...]";

#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Moto(#[from] MotoError),
    #[error(transparent)]
    Emulator(#[from] HarnessError),
    #[error(transparent)]
    Kubelets(#[from] EksKubeletsError),
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
}

struct Options {
    aws_network: bool,
    /// The EKS cluster whose nodes join the emulator's Kubernetes API.
    eks_kubelets: Option<String>,
    /// Start mlcloud-emulator's azure part instead of moto.
    azure: bool,
    azure_groups: Vec<String>,
    /// Start mlcloud-emulator's gcp part instead of moto.
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
    let mut eks_kubelets = None;
    let mut azure = false;
    let mut azure_groups = Vec::new();
    let mut gcp = false;
    loop {
        match args.next() {
            None => return Err(Error::Usage("no command after --".into())),
            Some(arg) if arg == "--" => break,
            Some(arg) if arg == "--aws-network" => aws_network = true,
            Some(arg) if arg == "--azure" => azure = true,
            Some(arg) if arg == "--gcp" => gcp = true,
            Some(arg) if arg == "--eks-kubelets" => match args.next() {
                Some(name) => eks_kubelets = Some(name.to_string_lossy().into_owned()),
                None => return Err(Error::Usage("--eks-kubelets needs a CLUSTER".into())),
            },
            Some(arg) if arg == "--azure-group" => match args.next() {
                Some(name) => azure_groups.push(name.to_string_lossy().into_owned()),
                None => return Err(Error::Usage("--azure-group needs a NAME".into())),
            },
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
    if azure && aws_network {
        return Err(Error::Usage(
            "--aws-network is for AWS, not with --azure".into(),
        ));
    }
    if gcp && (azure || aws_network) {
        return Err(Error::Usage(
            "--gcp runs the Google Cloud emulator alone, not with --azure or --aws-network".into(),
        ));
    }
    if eks_kubelets.is_some() && (azure || gcp) {
        return Err(Error::Usage(
            "--eks-kubelets is for EKS clusters in moto, not with --azure or --gcp (their emulators run the nodes)".into(),
        ));
    }
    if !azure && !azure_groups.is_empty() {
        return Err(Error::Usage("--azure-group needs --azure".into()));
    }
    Ok(Options {
        aws_network,
        eks_kubelets,
        azure,
        azure_groups,
        gcp,
        command,
    })
}

fn run(options: &Options) -> Result<ExitCode, Error> {
    let mut command = Command::new(&options.command[0]);
    command.args(&options.command[1..]);
    clean_env::remove_cloud_settings(&mut command);
    if options.azure {
        // Kept alive until COMMAND ends.
        let _emulator = with_azure(&mut command, &options.azure_groups)?;
        return status_of(&mut command, options);
    }
    if options.gcp {
        let _emulator = with_gcp(&mut command)?;
        return status_of(&mut command, options);
    }
    let moto = with_aws(&mut command, options.aws_network)?;
    match &options.eks_kubelets {
        Some(cluster) => {
            let kubelets = EksKubelets::new(&moto, cluster)?;
            kubelets.in_step_while(&moto, || status_of(&mut command, options))?
        }
        None => status_of(&mut command, options),
    }
}

/// moto behind mlcloud-emulator's aws part, and COMMAND's environment for it.
fn with_aws(command: &mut Command, aws_network: bool) -> Result<Moto, Error> {
    let moto = Moto::start()?;
    let (kubernetes, ca_file) = moto.kubernetes_endpoint();
    command
        .envs(CREDENTIALS_ENV)
        .env("MLCLOUD_AWS_ENDPOINT", moto.endpoint())
        .env("MLCLOUD_AWS_KUBERNETES_ENDPOINT", kubernetes)
        .env("MLCLOUD_AWS_CA_CERTIFICATE_FILE", ca_file)
        .env(
            "MLCLOUD_EMULATOR_ADMIN",
            moto.emulator().ready()["admin"]
                .as_str()
                .unwrap_or_default(),
        );
    if aws_network {
        let network = moto.sdk().create_network()?;
        let subnet_ids =
            serde_json::to_string(&network.subnet_ids).expect("a list of strings is JSON");
        command.env("MLCLOUD_AWS_SUBNET_IDS", subnet_ids);
    }
    Ok(moto)
}

/// mlcloud-emulator (its azure part), the resource groups, and COMMAND's environment.
fn with_azure(command: &mut Command, groups: &[String]) -> Result<MlcloudEmulator, Error> {
    let emulator = MlcloudEmulator::start(&[])?;
    let arm = AzureArm::for_emulator(&emulator)?;
    for group in groups {
        arm.create_group(group, "westeurope")?;
    }
    let ready = emulator.ready();
    let field = |name: &str| ready["azure"][name].as_str().unwrap_or_default().to_owned();
    command
        .env("ARM_SUBSCRIPTION_ID", field("subscription_id"))
        .env("ARM_TENANT_ID", field("tenant_id"))
        .env("ARM_CLIENT_ID", field("client_id"))
        .env("ARM_CLIENT_SECRET", field("client_secret"))
        .env("ARM_CA_CERTIFICATE_FILE", field("ca_file"))
        .env("MLCLOUD_AZURE_RESOURCE_MANAGER", field("resource_manager"))
        .env("MLCLOUD_AZURE_ACTIVE_DIRECTORY", field("active_directory"))
        .env(
            "MLCLOUD_EMULATOR_ADMIN",
            ready["admin"].as_str().unwrap_or_default(),
        );
    Ok(emulator)
}

/// mlcloud-emulator (its gcp part), and COMMAND's environment.
fn with_gcp(command: &mut Command) -> Result<MlcloudEmulator, Error> {
    let emulator = MlcloudEmulator::start(&[])?;
    let ready = emulator.ready();
    let field = |name: &str| ready["gcp"][name].as_str().unwrap_or_default().to_owned();
    command
        .env("MLCLOUD_GCP_ENDPOINT", field("endpoint"))
        .env("MLCLOUD_GCP_PROJECT", field("project"))
        .env("MLCLOUD_GCP_CREDENTIALS", field("credentials_file"))
        .env(
            "MLCLOUD_EMULATOR_ADMIN",
            ready["admin"].as_str().unwrap_or_default(),
        );
    Ok(emulator)
}

fn status_of(command: &mut Command, options: &Options) -> Result<ExitCode, Error> {
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
