//! The region a user's AWS tools would use when neither a resource's `location` nor
//! the provider block's `region` says one: `AWS_REGION`, then `AWS_DEFAULT_REGION`,
//! then the `region` of the profile (the block's `profile`, else `AWS_PROFILE`, else
//! `default`) in the shared config file (`AWS_CONFIG_FILE`, else `~/.aws/config`).
//! That is aws-config's own region chain without its last step, the EC2 instance
//! metadata service: asking it means a network call (with a timeout) at plan time on
//! every machine that is not an EC2 instance. The SDK clients still resolve their
//! region with the whole chain when the provider connects.

use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileRegionProvider;
use aws_runtime::env_config::file::EnvConfigFiles;

/// Where the region is looked for; tests replace the process environment and files.
pub struct RegionSources<'a> {
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The provider block's `profile`.
    pub profile: Option<&'a str>,
    /// `None`: the default files (as the environment points at them).
    pub files: Option<EnvConfigFiles>,
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl RegionSources<'_> {
    /// The process environment and the default shared config files.
    pub fn process(profile: Option<&str>) -> RegionSources<'_> {
        RegionSources {
            env: &process_env,
            profile,
            files: None,
        }
    }
}

/// The region, when any of the sources names one.
pub async fn environment_region(sources: RegionSources<'_>) -> Option<String> {
    let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| (sources.env)(name).filter(|r| !r.trim().is_empty()));
    if from_env.is_some() {
        return from_env;
    }
    let mut profile = ProfileFileRegionProvider::builder();
    if let Some(name) = sources.profile {
        profile = profile.profile_name(name);
    }
    if let Some(files) = sources.files {
        profile = profile.profile_files(files);
    }
    profile
        .build()
        .region()
        .await
        .map(|region| region.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_runtime::env_config::file::EnvConfigFileKind;

    fn config_file(text: &str) -> (tempfile::TempDir, EnvConfigFiles) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, text).unwrap();
        let files = EnvConfigFiles::builder()
            .with_file(EnvConfigFileKind::Config, &path)
            .build();
        (dir, files)
    }

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile ml]\nregion = ap-south-1\n";

    #[tokio::test]
    async fn the_environment_comes_first_then_the_profile() {
        let (_dir, files) = config_file(CONFIG);
        let env = |name: &str| (name == "AWS_DEFAULT_REGION").then(|| "us-west-2".to_string());
        let sources = RegionSources {
            env: &env,
            profile: Some("ml"),
            files: Some(files),
        };
        assert_eq!(
            environment_region(sources).await.as_deref(),
            Some("us-west-2")
        );

        let (_dir, files) = config_file(CONFIG);
        let env = |name: &str| match name {
            "AWS_REGION" => Some("eu-central-1".to_string()),
            "AWS_DEFAULT_REGION" => Some("us-west-2".to_string()),
            _ => None,
        };
        let sources = RegionSources {
            env: &env,
            profile: None,
            files: Some(files),
        };
        assert_eq!(
            environment_region(sources).await.as_deref(),
            Some("eu-central-1")
        );
    }

    #[tokio::test]
    async fn without_environment_variables_the_profiles_region_is_used() {
        let none = |_: &str| None;
        let (_dir, files) = config_file(CONFIG);
        let named = RegionSources {
            env: &none,
            profile: Some("ml"),
            files: Some(files),
        };
        assert_eq!(
            environment_region(named).await.as_deref(),
            Some("ap-south-1")
        );

        let (_dir, files) = config_file("[profile other]\noutput = json\n");
        let nothing = RegionSources {
            env: &none,
            profile: Some("other"),
            files: Some(files),
        };
        assert_eq!(environment_region(nothing).await, None);
    }
}
