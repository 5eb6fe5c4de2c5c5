//! Installing a provider binary the way a user's Terraform finds it: a filesystem
//! mirror plus a CLI configuration that sends only that provider's address there.

use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::hcl::hcl_string;
use crate::paths::target_dirs;

/// The platform directory of the mirror; the harness runs on Linux x86-64 only.
const PLATFORM: &str = "linux_amd64";

/// Where a cargo build puts a provider binary inside a target directory's `debug/`.
#[derive(Clone, Copy, Debug)]
pub enum BuildOutput<'a> {
    /// A `[[bin]]` target: `debug/NAME`.
    Bin(&'a str),
    /// An example: `debug/examples/NAME`.
    Example(&'a str),
}

impl BuildOutput<'_> {
    fn relative_path(&self) -> PathBuf {
        match self {
            BuildOutput::Bin(name) => Path::new("debug").join(name),
            BuildOutput::Example(name) => Path::new("debug").join("examples").join(name),
        }
    }
}

/// A provider's source address, `HOST/NAMESPACE/TYPE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceAddress {
    pub host: String,
    pub namespace: String,
    pub type_name: String,
}

impl SourceAddress {
    pub fn parse(address: &str) -> Result<Self, HarnessError> {
        let parts: Vec<&str> = address.split('/').collect();
        match parts.as_slice() {
            [host, namespace, type_name]
                if [host, namespace, type_name]
                    .iter()
                    .all(|part| !part.is_empty()) =>
            {
                Ok(SourceAddress {
                    host: (*host).to_owned(),
                    namespace: (*namespace).to_owned(),
                    type_name: (*type_name).to_owned(),
                })
            }
            _ => Err(HarnessError::InvalidSourceAddress(address.to_owned())),
        }
    }
}

impl std::fmt::Display for SourceAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.host, self.namespace, self.type_name)
    }
}

/// One provider binary, under the address and version Terraform will know it by.
#[derive(Clone, Debug)]
pub struct ProviderInstall {
    binary: PathBuf,
    source: SourceAddress,
    version: String,
}

impl ProviderInstall {
    pub fn new(
        binary: impl Into<PathBuf>,
        source: &str,
        version: &str,
    ) -> Result<Self, HarnessError> {
        Ok(ProviderInstall {
            binary: binary.into(),
            source: SourceAddress::parse(source)?,
            version: version.to_owned(),
        })
    }

    /// The provider built by cargo as `output`, found in the first target directory
    /// that has it (see [`target_dirs`]).
    pub fn built(
        output: BuildOutput<'_>,
        source: &str,
        version: &str,
    ) -> Result<Self, HarnessError> {
        let candidates: Vec<PathBuf> = target_dirs()
            .into_iter()
            .map(|dir| dir.join(output.relative_path()))
            .collect();
        match candidates.iter().find(|path| path.is_file()) {
            Some(binary) => Self::new(binary, source, version),
            None => Err(HarnessError::ProviderBinaryMissing {
                name: match output {
                    BuildOutput::Bin(name) | BuildOutput::Example(name) => name.to_owned(),
                },
                searched: candidates
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    pub fn source(&self) -> &SourceAddress {
        &self.source
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Links the binary into `mirror` in Terraform's unpacked layout:
    /// `HOST/NAMESPACE/TYPE/VERSION/linux_amd64/terraform-provider-TYPE_vVERSION`.
    /// A symlink, not a copy: debug builds are large, and Terraform follows it.
    pub fn install_into(&self, mirror: &Path) -> Result<PathBuf, HarnessError> {
        let platform_dir = mirror
            .join(&self.source.host)
            .join(&self.source.namespace)
            .join(&self.source.type_name)
            .join(&self.version)
            .join(PLATFORM);
        std::fs::create_dir_all(&platform_dir)
            .map_err(HarnessError::io("create", &platform_dir))?;
        let installed = platform_dir.join(format!(
            "terraform-provider-{}_v{}",
            self.source.type_name, self.version
        ));
        let target =
            std::path::absolute(&self.binary).map_err(HarnessError::io("resolve", &self.binary))?;
        std::os::unix::fs::symlink(&target, &installed)
            .map_err(HarnessError::io("link", &installed))?;
        Ok(installed)
    }
}

/// The CLI configuration that installs `providers` from `mirror` and nothing of
/// theirs from anywhere else (so a broken mirror fails instead of reaching a registry).
pub fn cli_config(mirror: &Path, providers: &[ProviderInstall]) -> String {
    let addresses = providers
        .iter()
        .map(|provider| hcl_string(&provider.source.to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    let mirror = hcl_string(&mirror.display().to_string());
    format!(
        r#"provider_installation {{
  filesystem_mirror {{
    path    = {mirror}
    include = [{addresses}]
  }}
  direct {{
    exclude = [{addresses}]
  }}
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_install(binary: &Path) -> ProviderInstall {
        ProviderInstall::new(binary, "registry.terraform.io/tfplug/example", "0.1.0").unwrap()
    }

    #[test]
    fn source_addresses_need_three_non_empty_parts() {
        let parsed = SourceAddress::parse("registry.terraform.io/mlcloud/mlcloud").unwrap();
        assert_eq!(parsed.host, "registry.terraform.io");
        assert_eq!(parsed.namespace, "mlcloud");
        assert_eq!(parsed.type_name, "mlcloud");
        for bad in ["mlcloud/mlcloud", "a//c", "a/b/c/d", ""] {
            assert!(
                SourceAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn installs_in_the_unpacked_mirror_layout() {
        let scratch = tempfile::tempdir().unwrap();
        let binary = scratch.path().join("built-provider");
        std::fs::write(&binary, b"binary").unwrap();
        let mirror = scratch.path().join("mirror");

        let installed = example_install(&binary).install_into(&mirror).unwrap();

        assert_eq!(
            installed,
            mirror.join(
                "registry.terraform.io/tfplug/example/0.1.0/linux_amd64/terraform-provider-example_v0.1.0"
            )
        );
        assert_eq!(std::fs::read(&installed).unwrap(), b"binary");
    }

    #[test]
    fn cli_config_routes_only_the_installed_providers_to_the_mirror() {
        let binary = Path::new("/unused");
        let mlcloud =
            ProviderInstall::new(binary, "registry.terraform.io/mlcloud/mlcloud", "0.1.0").unwrap();
        let config = cli_config(Path::new("/m"), &[example_install(binary), mlcloud]);
        let routed =
            r#"["registry.terraform.io/tfplug/example", "registry.terraform.io/mlcloud/mlcloud"]"#;
        assert_eq!(
            config,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"/m\"\n    include = {routed}\n  }}\n  direct {{\n    exclude = {routed}\n  }}\n}}\n"
            )
        );
    }

    #[test]
    fn a_missing_build_says_how_to_build_it() {
        let error = ProviderInstall::built(
            BuildOutput::Example("terraform-provider-that-does-not-exist"),
            "registry.terraform.io/x/y",
            "0.1.0",
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("debug/examples/terraform-provider-that-does-not-exist"),
            "{message}"
        );
        assert!(
            message.contains("cargo build --workspace --bins --examples"),
            "{message}"
        );
    }
}
