//! The EC2 launch template behind every node group mlcloud creates: IMDSv2 required
//! with a hop limit of 1 (pods cannot reach the node's instance credentials), and the
//! root volume's size (EKS forbids `diskSize` on a node group that has a launch
//! template). Named `mlcloud-<cluster>-<pool>-<hash of both>` (see [`template_name`]);
//! deleted with its node group.

use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::tokens::fresh_token;
use crate::clouds::CloudError;
use crate::clouds::model::Tags;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateInstanceMetadataEndpointState,
    LaunchTemplateInstanceMetadataOptionsRequest, RequestLaunchTemplateData, ResourceType, Tag,
    TagSpecification, VolumeType,
};

/// The root device of the EKS-optimized Amazon Linux 2023 AMIs.
const ROOT_DEVICE: &str = "/dev/xvda";
const PREFIX: &str = "mlcloud-";
/// EC2's limit on a launch template name.
const MAX_NAME_LEN: usize = 128;

/// A launch template version, as a node group refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    pub id: String,
    pub version: String,
}

/// The template of pool `pool` in cluster `cluster`: readable, and unique per pair.
/// Joining the two names alone is not (`ml-gpu` + `a` and `ml` + `gpu-a` would share
/// one), so a hash of the pair ends the name; the readable part is cut to keep the
/// whole within EC2's 128 characters. Templates named by earlier versions
/// (`mlcloud-<cluster>-<pool>`) are still recognised as ours by [`is_ours`].
pub fn template_name(cluster: &str, pool: &str) -> String {
    let suffix = format!("-{:016x}", pair_hash(cluster, pool));
    let readable: String = format!("{PREFIX}{cluster}-{pool}")
        .chars()
        .take(MAX_NAME_LEN - suffix.len())
        .collect();
    format!("{readable}{suffix}")
}

/// FNV-1a over the two names with a separator that neither may contain: stable across
/// builds and platforms (unlike `std`'s hasher), so a name computed again later (an
/// interrupted create, run again) is the same.
fn pair_hash(cluster: &str, pool: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in cluster.bytes().chain([0x1f]).chain(pool.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Whether mlcloud made the template (and may delete it): every name mlcloud ever gave
/// one starts with `mlcloud-`.
pub fn is_ours(name: &str) -> bool {
    name.starts_with(PREFIX)
}

fn what(name: &str) -> String {
    format!("EC2 launch template {name:?}")
}

// ---------------------------------------------------------------- expand

fn expand_data(disk_size_gb: u32) -> RequestLaunchTemplateData {
    RequestLaunchTemplateData::builder()
        .metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .http_endpoint(LaunchTemplateInstanceMetadataEndpointState::Enabled)
                .http_tokens(LaunchTemplateHttpTokensState::Required)
                .http_put_response_hop_limit(1)
                .build(),
        )
        .block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .device_name(ROOT_DEVICE)
                .ebs(
                    LaunchTemplateEbsBlockDeviceRequest::builder()
                        .volume_size(disk_size_gb as i32)
                        .volume_type(VolumeType::Gp3)
                        .encrypted(true)
                        .delete_on_termination(true)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn expand_tags(tags: &Tags) -> Option<Vec<TagSpecification>> {
    (!tags.is_empty()).then(|| {
        vec![
            TagSpecification::builder()
                .resource_type(ResourceType::LaunchTemplate)
                .set_tags(Some(
                    tags.iter()
                        .map(|(k, v)| Tag::builder().key(k).value(v).build())
                        .collect(),
                ))
                .build(),
        ]
    })
}

// ---------------------------------------------------------------- find

/// The template's id, by name; `NotFound` when there is none.
async fn find_template_id(ec2: &Client, name: &str) -> Result<String, CloudError> {
    let out = ec2
        .describe_launch_templates()
        .launch_template_names(name)
        .send()
        .await
        .or_cloud(Service::Ec2, "DescribeLaunchTemplates", &what(name))?;
    out.launch_templates()
        .iter()
        .find_map(|t| t.launch_template_id())
        .map(str::to_string)
        .ok_or_else(|| CloudError::NotFound {
            what: what(name),
            message: "no launch template has this name".into(),
        })
}

/// The root volume size a template version sets, `None` when the template is gone or
/// sets none.
pub async fn find_disk_size(
    ec2: &Client,
    template: &TemplateRef,
) -> Result<Option<u32>, CloudError> {
    let out = found(
        ec2.describe_launch_template_versions()
            .launch_template_id(&template.id)
            .versions(&template.version)
            .send()
            .await
            .or_cloud(
                Service::Ec2,
                "DescribeLaunchTemplateVersions",
                &what(&template.id),
            ),
    )?;
    Ok(out.and_then(|o| {
        o.launch_template_versions()
            .iter()
            .filter_map(|v| v.launch_template_data())
            .flat_map(|d| d.block_device_mappings())
            .find(|m| m.device_name() == Some(ROOT_DEVICE))
            .and_then(|m| m.ebs())
            .and_then(|e| e.volume_size())
            .map(|size| size.max(0) as u32)
    }))
}

// ---------------------------------------------------------------- create / delete

/// Creates the template; if one of that name is left from an earlier attempt, adds a
/// version with our settings to it instead. The flag says whether this call made the
/// template (only then may a refused node group create take it back: a template that
/// was there before may be in use by a group this create does not know of).
pub async fn create(
    ec2: &Client,
    name: &str,
    disk_size_gb: u32,
    tags: &Tags,
) -> Result<(TemplateRef, bool), CloudError> {
    let created = ec2
        .create_launch_template()
        .launch_template_name(name)
        .version_description("mlcloud node group: IMDSv2 only, root volume size")
        .launch_template_data(expand_data(disk_size_gb))
        .set_tag_specifications(expand_tags(tags))
        // Fresh per create: a name-derived token would return a template deleted since.
        .client_token(fresh_token())
        .send()
        .await
        .or_cloud(Service::Ec2, "CreateLaunchTemplate", &what(name));
    match created {
        Ok(out) => {
            let template = out.launch_template();
            let made = TemplateRef {
                id: template
                    .and_then(|t| t.launch_template_id())
                    .ok_or_else(|| {
                        CloudError::Transport("EC2 CreateLaunchTemplate returned no id".into())
                    })?
                    .to_string(),
                version: template
                    .and_then(|t| t.latest_version_number())
                    .unwrap_or(1)
                    .to_string(),
            };
            Ok((made, true))
        }
        Err(e) if e.has_code("InvalidLaunchTemplateName.AlreadyExistsException") => {
            let id = find_template_id(ec2, name).await?;
            let version = ec2
                .create_launch_template_version()
                .launch_template_id(&id)
                .launch_template_data(expand_data(disk_size_gb))
                .send()
                .await
                .or_cloud(Service::Ec2, "CreateLaunchTemplateVersion", &what(name))?
                .launch_template_version()
                .and_then(|v| v.version_number())
                .ok_or_else(|| {
                    CloudError::Transport(
                        "EC2 CreateLaunchTemplateVersion returned no version".into(),
                    )
                })?;
            let reused = TemplateRef {
                id,
                version: version.to_string(),
            };
            Ok((reused, false))
        }
        Err(e) => Err(e),
    }
}

pub async fn delete(ec2: &Client, id: &str) -> Result<(), CloudError> {
    gone_is_ok(
        ec2.delete_launch_template()
            .launch_template_id(id)
            .send()
            .await
            .map(|_| ())
            .or_cloud(Service::Ec2, "DeleteLaunchTemplate", &what(id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_requires_imdsv2_with_one_hop_and_sizes_the_root_volume() {
        let data = expand_data(200);
        let metadata = data.metadata_options().unwrap();
        assert_eq!(
            metadata.http_tokens(),
            Some(&LaunchTemplateHttpTokensState::Required)
        );
        assert_eq!(metadata.http_put_response_hop_limit(), Some(1));
        let root = &data.block_device_mappings()[0];
        assert_eq!(root.device_name(), Some(ROOT_DEVICE));
        let ebs = root.ebs().unwrap();
        assert_eq!(ebs.volume_size(), Some(200));
        assert_eq!(ebs.encrypted(), Some(true));
    }

    #[test]
    fn names_say_whose_template_it_is_and_are_unique_per_pool() {
        let name = template_name("ml-main", "gpu-l4");
        // Pinned: a create interrupted and run again by a later version must find it.
        assert_eq!(name, "mlcloud-ml-main-gpu-l4-c9443dba63ba5afe");
        assert_eq!(name, template_name("ml-main", "gpu-l4"), "stable");
        assert!(is_ours(&name));
        assert!(!is_ours("eks-1234"));
        // The earlier scheme's names are still ours (state written by older versions).
        assert!(is_ours("mlcloud-ml-main-gpu-l4"));
        assert_ne!(template_name("ml-gpu", "a"), template_name("ml", "gpu-a"));
    }

    #[test]
    fn long_names_are_cut_to_ec2s_limit_and_stay_distinct() {
        let cluster = "c".repeat(100);
        let (a, b) = (
            template_name(&cluster, &"p".repeat(63)),
            template_name(&cluster, &"p".repeat(62)),
        );
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert!(b.len() <= MAX_NAME_LEN);
        assert_ne!(a, b);
        assert!(
            a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{a}"
        );
    }
}
