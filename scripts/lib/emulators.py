#!/usr/bin/env python3
"""The parts of scripts/emulators that speak JSON, HTTP and HCL (run by the venv's Python).

  emulators.py prepare READY_JSON --clouds aws,azure,gcp [--azure-group NAME]... [--moto URL]
      Makes what a module needs before its first apply and the provider does not make:
      a VPC with two subnets in moto (EKS asks for two, in two zones) and the Azure
      resource groups (mlcloud creates resources in groups it does not own). Prints
      {"aws_subnet_ids": [...], "azure_groups": [...]} on stdout.

  emulators.py render READY_JSON PREPARED_JSON --clouds ... --cli-config FILE
               [--provider-file F] [--env-file F] [--print-only]
      Prints the provider block pointing at the emulators and the environment
      (`export NAME='value'` lines), and writes them to the files asked for. The env
      file is written last, by rename, so a reader that waits for it sees it whole.

READY_JSON is the file holding mlcloud-emulator's ready line
(acceptance-tests/emulators/README.md says what each part's entry holds).
"""

import argparse
import json
import os
import shlex
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

# moto's account and the credentials it takes (it checks that requests are signed,
# not by whom): the values acceptance-tests/src/moto.rs uses.
AWS_REGION = "us-east-1"
AWS_ACCESS_KEY = "testing"
AWS_SECRET_KEY = "testing"
AWS_SERVICES = ("eks", "kms", "iam", "sts", "ec2")
AWS_VPC_CIDR = "10.42.0.0/16"
AWS_SUBNETS = (("10.42.1.0/24", "us-east-1a"), ("10.42.2.0/24", "us-east-1b"))

# Every Google API the provider calls, all served on the gcp part's one endpoint.
GCP_SERVICES = ("container", "cloudkms", "iam", "resourcemanager", "compute", "oauth2", "storage")
GCP_REGION = "us-central1"

AZURE_GROUP_LOCATION = "westeurope"
# A GA resource groups api-version the emulator serves (as acceptance-tests/src/azure_arm.rs).
AZURE_GROUPS_API_VERSION = "2021-04-01"

HTTP_TIMEOUT_SECONDS = 30


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- prepare -----------------------------------------------------------------------


def create_aws_network(endpoint):
    import boto3  # moto's dependency, in the venv scripts/setup makes

    ec2 = boto3.client(
        "ec2",
        region_name=AWS_REGION,
        endpoint_url=endpoint,
        aws_access_key_id=AWS_ACCESS_KEY,
        aws_secret_access_key=AWS_SECRET_KEY,
    )
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "mlcloud-emulators"}]}]
    vpc_id = ec2.create_vpc(CidrBlock=AWS_VPC_CIDR, TagSpecifications=tags)["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in AWS_SUBNETS
    ]


def azure_request(azure, method, url, body=None, token=None, form=None):
    context = ssl.create_default_context(cafile=azure["ca_file"])
    headers = {}
    data = None
    if form is not None:
        data = form.encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, context=context, timeout=HTTP_TIMEOUT_SECONDS) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {url}: {error.code} {error.read().decode(errors='replace')}")


def create_azure_groups(azure, groups):
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": azure["client_id"],
            "client_secret": azure["client_secret"],
            "scope": "https://management.azure.com/.default",
        }
    )
    token_url = f"{azure['active_directory']}/{azure['tenant_id']}/oauth2/v2.0/token"
    token = azure_request(azure, "POST", token_url, form=form)["access_token"]
    for group in groups:
        url = (
            f"{azure['resource_manager']}/subscriptions/{azure['subscription_id']}"
            f"/resourceGroups/{group}?api-version={AZURE_GROUPS_API_VERSION}"
        )
        azure_request(azure, "PUT", url, body={"location": AZURE_GROUP_LOCATION}, token=token)


def prepare(args):
    ready = load(args.ready)
    clouds = args.clouds.split(",")
    prepared = {"aws_subnet_ids": [], "azure_groups": []}
    if "aws" in clouds:
        prepared["aws_subnet_ids"] = create_aws_network(args.moto)
    if "azure" in clouds:
        create_azure_groups(ready["azure"], args.azure_group)
        prepared["azure_groups"] = args.azure_group
    json.dump(prepared, sys.stdout)
    print()


# --- render ------------------------------------------------------------------------


def hcl(value):
    """An HCL string literal (JSON's escapes, and `${`/`%{` kept literal)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def block(name, lines, indent):
    pad = "  " * indent
    return [f"{pad}{name} {{"] + lines + [f"{pad}}}"]


def aligned(pairs, indent):
    width = max(len(key) for key, _ in pairs)
    pad = "  " * indent
    return [f"{pad}{key.ljust(width)} = {value}" for key, value in pairs]


def provider_block(ready, clouds):
    body = []
    if "aws" in clouds:
        endpoint = hcl(ready["aws"]["endpoint"])
        endpoints = [(service, endpoint) for service in AWS_SERVICES]
        # EKS clusters in moto have no API server: every cluster's Kubernetes API is
        # the emulator's override API, whose certificate the emulator's CA signed.
        endpoints.append(("kubernetes", hcl(ready["kubernetes"]["endpoint"])))
        lines = aligned(
            [
                ("region", hcl(AWS_REGION)),
                ("access_key", hcl(AWS_ACCESS_KEY)),
                ("secret_key", hcl(AWS_SECRET_KEY)),
                ("ca_certificate_file", hcl(ready["ca_file"])),
            ],
            2,
        )
        lines += [""] + block("endpoints", aligned(endpoints, 3), 2)
        body += block("aws", lines, 1)
    if "azure" in clouds:
        azure = ready["azure"]
        lines = aligned(
            [
                ("subscription_id", hcl(azure["subscription_id"])),
                ("tenant_id", hcl(azure["tenant_id"])),
                ("client_id", hcl(azure["client_id"])),
                ("client_secret", hcl(azure["client_secret"])),
                ("ca_certificate_file", hcl(azure["ca_file"])),
            ],
            2,
        )
        endpoints = [
            ("resource_manager", hcl(azure["resource_manager"])),
            ("active_directory", hcl(azure["active_directory"])),
        ]
        lines += [""] + block("endpoints", aligned(endpoints, 3), 2)
        body += ([""] if body else []) + block("azure", lines, 1)
    if "gcp" in clouds:
        gcp = ready["gcp"]
        lines = aligned(
            [
                ("project", hcl(gcp["project"])),
                ("region", hcl(GCP_REGION)),
                ("credentials", hcl(gcp["credentials_file"])),
            ],
            2,
        )
        endpoint = hcl(gcp["endpoint"])
        lines += [""] + block("endpoints", aligned([(s, endpoint) for s in GCP_SERVICES], 3), 2)
        body += ([""] if body else []) + block("gcp", lines, 1)
    return "\n".join(block('provider "mlcloud"', body, 0)) + "\n"


def environment(ready, prepared, clouds, cli_config):
    """What to export: the CLI configuration installing the built provider, the
    emulators' addresses, each cloud's standard credential variables (for modules whose
    provider block leaves them out) and the TF_VAR_* the repository's test files read
    (modules/*/tests/*.tftest.hcl)."""
    env = [
        ("TF_CLI_CONFIG_FILE", cli_config),
        ("MLCLOUD_EMULATOR_ADMIN", ready["admin"]),
        ("MLCLOUD_EMULATOR_CA_FILE", ready["ca_file"]),
    ]
    if "aws" in clouds:
        subnets = json.dumps(prepared["aws_subnet_ids"])
        env += [
            ("MLCLOUD_AWS_ENDPOINT", ready["aws"]["endpoint"]),
            ("MLCLOUD_AWS_KUBERNETES_ENDPOINT", ready["kubernetes"]["endpoint"]),
            ("MLCLOUD_AWS_SUBNET_IDS", subnets),
            ("AWS_ACCESS_KEY_ID", AWS_ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", AWS_SECRET_KEY),
            ("AWS_REGION", AWS_REGION),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("TF_VAR_aws_endpoint", ready["aws"]["endpoint"]),
            ("TF_VAR_aws_subnet_ids", subnets),
        ]
    if "azure" in clouds:
        azure = ready["azure"]
        env += [
            ("MLCLOUD_AZURE_RESOURCE_MANAGER", azure["resource_manager"]),
            ("MLCLOUD_AZURE_ACTIVE_DIRECTORY", azure["active_directory"]),
            ("ARM_SUBSCRIPTION_ID", azure["subscription_id"]),
            ("ARM_TENANT_ID", azure["tenant_id"]),
            ("ARM_CLIENT_ID", azure["client_id"]),
            ("ARM_CLIENT_SECRET", azure["client_secret"]),
            ("ARM_CA_CERTIFICATE_FILE", azure["ca_file"]),
            ("TF_VAR_azure_resource_manager", azure["resource_manager"]),
            ("TF_VAR_azure_active_directory", azure["active_directory"]),
            ("TF_VAR_azure_ca_file", azure["ca_file"]),
            ("TF_VAR_azure_subscription_id", azure["subscription_id"]),
            ("TF_VAR_azure_tenant_id", azure["tenant_id"]),
            ("TF_VAR_azure_client_id", azure["client_id"]),
            ("TF_VAR_azure_client_secret", azure["client_secret"]),
        ]
    if "gcp" in clouds:
        gcp = ready["gcp"]
        env += [
            ("MLCLOUD_GCP_ENDPOINT", gcp["endpoint"]),
            ("MLCLOUD_GCP_PROJECT", gcp["project"]),
            ("MLCLOUD_GCP_CREDENTIALS", gcp["credentials_file"]),
            ("TF_VAR_gcp_endpoint", gcp["endpoint"]),
            ("TF_VAR_gcp_project", gcp["project"]),
            ("TF_VAR_gcp_credentials", gcp["credentials_file"]),
        ]
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env)


def write_whole(path, text):
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)


def render(args):
    ready = load(args.ready)
    prepared = load(args.prepared)
    clouds = args.clouds.split(",")
    provider = provider_block(ready, clouds)
    env = environment(ready, prepared, clouds, args.cli_config)
    if args.print_only:
        sys.stdout.write(provider + "\n" + env)
    else:
        print("\n==> the provider block for the emulators, to paste into a configuration:\n")
        sys.stdout.write(provider)
        print("\n==> the environment: the built provider for terraform, the emulators' addresses,")
        print("    credentials, and the TF_VAR_* the modules' tests/*.tftest.hcl read:\n")
        sys.stdout.write(env)
        if prepared["aws_subnet_ids"]:
            print(f"\n    aws: a VPC with two subnets was made in moto: {json.dumps(prepared['aws_subnet_ids'])}")
        if prepared["azure_groups"]:
            print(f"    azure: resource groups {', '.join(prepared['azure_groups'])} exist ({AZURE_GROUP_LOCATION})")
    sys.stdout.flush()
    if args.provider_file:
        write_whole(args.provider_file, provider)
    if args.env_file:
        write_whole(args.env_file, env)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("ready")
    p.add_argument("--clouds", required=True)
    p.add_argument("--azure-group", action="append", default=[])
    p.add_argument("--moto")
    r = commands.add_parser("render")
    r.add_argument("ready")
    r.add_argument("prepared")
    r.add_argument("--clouds", required=True)
    r.add_argument("--cli-config", required=True)
    r.add_argument("--provider-file")
    r.add_argument("--env-file")
    r.add_argument("--print-only", action="store_true")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args)
    else:
        render(args)


if __name__ == "__main__":
    main()
