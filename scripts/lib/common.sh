# Shared by scripts/setup, scripts/try and scripts/test: where things live and how we
# announce what we do. Sourced, never executed.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV_DIR="$REPO_ROOT/.venv"
TOOLS_BIN="$REPO_ROOT/.tools/bin"
TERRAFORM_115="$TOOLS_BIN/terraform"
TERRAFORM_103="$TOOLS_BIN/terraform-1.0.3"

# A developer's shell may point TF_CLI_CONFIG_FILE at a file that does not exist; every
# terraform run would then open with a warning about it. Our scripts write their own
# CLI configuration where they need one, so a dangling setting is only noise.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "$TF_CLI_CONFIG_FILE" ]]; then
  unset TF_CLI_CONFIG_FILE
fi
# Terraform would otherwise try to reach its version-check service on every run.
export CHECKPOINT_DISABLE=1

step() {
  printf '\n==> %s\n' "$*"
}

note() {
  printf '    %s\n' "$*"
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Where cargo puts its builds: CARGO_TARGET_DIR (made absolute), else target/.
cargo_target_dir() {
  local dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
  [[ "$dir" == /* ]] || dir="$REPO_ROOT/$dir"
  printf '%s\n' "$dir"
}
