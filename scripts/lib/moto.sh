# shellcheck shell=bash
# A local AWS for scripts/try: moto in server mode from the project's venv, as the
# acceptance harness runs it (acceptance-tests/src/moto.rs). Sourced, never executed;
# needs common.sh first.

MOTO_SERVER="$VENV_DIR/bin/moto_server"
MOTO_PYTHON="$VENV_DIR/bin/python"
MOTO_PID=""
MOTO_ENDPOINT=""

# start_moto LOGFILE
#   Starts moto_server on a free 127.0.0.1 port and waits until it answers; sets
#   MOTO_ENDPOINT and MOTO_PID. Call stop_moto when done (e.g. from an EXIT trap).
start_moto() {
  local log="$1" port
  [[ -x "$MOTO_SERVER" ]] || die "moto_server is not installed at $MOTO_SERVER: run scripts/setup"
  port="$("$MOTO_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # Without MOTO_IAM_LOAD_MANAGED_POLICIES, AWS-managed policies such as
  # AmazonEKSClusterPolicy do not exist in moto.
  MOTO_IAM_LOAD_MANAGED_POLICIES=true AWS_DEFAULT_REGION=us-east-1 \
    "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  "$MOTO_PYTHON" - "$MOTO_ENDPOINT" "$MOTO_PID" <<'PY' || { cat "$log" >&2; die "moto did not start"; }
import os, sys, time, urllib.request

endpoint, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("moto_server exited")
    try:
        with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("moto_server did not answer within 20 s")
PY
}

stop_moto() {
  if [[ -n "$MOTO_PID" ]]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=""
  fi
}

# create_moto_network
#   Creates a VPC with two subnets (two zones) in moto and prints the subnet ids as a
#   list Terraform reads: ["subnet-...", "subnet-..."].
create_moto_network() {
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    "$MOTO_PYTHON" - "$MOTO_ENDPOINT" <<'PY'
import json, sys
import boto3

ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=sys.argv[1])
vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
subnets = [
    ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    for cidr, zone in (("10.42.1.0/24", "us-east-1a"), ("10.42.2.0/24", "us-east-1b"))
]
print(json.dumps(subnets))
PY
}
