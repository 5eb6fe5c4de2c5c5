# Installs a provider binary for Terraform the way the acceptance harness does
# (acceptance-tests/src/install.rs): a filesystem mirror in Terraform's unpacked layout
# and a CLI configuration that takes only that provider from it. Sourced, never executed.

# install_provider_mirror SCRATCH BINARY SOURCE VERSION
#   Links BINARY as SOURCE (HOST/NAMESPACE/TYPE) at VERSION into SCRATCH/mirror and
#   writes SCRATCH/terraform.rc; export TF_CLI_CONFIG_FILE=SCRATCH/terraform.rc to use it.
install_provider_mirror() {
  local scratch="$1" binary="$2" source="$3" version="$4"
  local type="${source##*/}"
  local platform_dir="$scratch/mirror/$source/$version/linux_amd64"
  [[ -x "$binary" ]] || die "no provider binary at $binary"
  mkdir -p "$platform_dir"
  ln -sfn "$(readlink -f "$binary")" "$platform_dir/terraform-provider-${type}_v${version}"
  cat >"$scratch/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$scratch/mirror"
    include = ["$source"]
  }
  direct {
    exclude = ["$source"]
  }
}
RC
}

# The provider's source address and the version the scripts install its builds as.
MLCLOUD_PROVIDER_SOURCE=registry.terraform.io/mlcloud/mlcloud
MLCLOUD_PROVIDER_VERSION=0.1.0

# install_built_provider SCRATCH
#   The workspace's debug build of terraform-provider-mlcloud (cargo build first) as
#   mlcloud/mlcloud 0.1.0 in SCRATCH/mirror, and SCRATCH/terraform.rc that installs it;
#   export TF_CLI_CONFIG_FILE=SCRATCH/terraform.rc to use it.
install_built_provider() {
  install_provider_mirror "$1" "$(cargo_target_dir)/debug/terraform-provider-mlcloud" \
    "$MLCLOUD_PROVIDER_SOURCE" "$MLCLOUD_PROVIDER_VERSION"
}
