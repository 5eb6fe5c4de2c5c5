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
