//! `aws { ... }`: region, credentials (the standard chain unless set), endpoints.

use super::common::{Endpoints, Redacted, RetryBlock, endpoints_block, retry_block};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, NestedBlock, validators};

/// The AWS APIs, and `kubernetes`: the API server of every EKS cluster (a proxy, a
/// private endpoint, an emulator).
pub const SERVICES: &[&str] = &["eks", "kms", "iam", "sts", "ec2", "kubernetes"];

pub fn block() -> NestedBlock {
    NestedBlock::single(
        "aws",
        Block::new()
            .describe("Settings for resources with `cloud = \"aws\"`. Credentials come from the standard AWS chain (environment, shared config and SSO profiles, web identity, container and instance roles) unless set here.")
            .attr(
                Attribute::string("region")
                    .optional()
                    .validate(validators::matches(
                        r"^[a-z]{2}(-[a-z]+)+-\d+$",
                        "must be an AWS region name such as \"us-east-1\"",
                    ))
                    .describe("AWS region. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's region."),
            )
            .attr(Attribute::string("profile").optional().describe("Shared config profile to use."))
            .attr(Attribute::string("access_key").optional().sensitive().describe("Static access key id; prefer the credential chain."))
            .attr(Attribute::string("secret_key").optional().sensitive().describe("Static secret access key; needs `access_key`."))
            .attr(Attribute::string("token").optional().sensitive().describe("Session token for temporary static credentials."))
            .block(
                NestedBlock::single(
                    "assume_role",
                    Block::new()
                        .describe("Assume this role after resolving base credentials.")
                        .attr(
                            Attribute::string("role_arn")
                                .required()
                                .validate(validators::matches(
                                    r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$",
                                    "must be an IAM role ARN such as \"arn:aws:iam::123456789012:role/deployer\"",
                                ))
                                .describe("The role to assume."),
                        )
                        .attr(Attribute::string("session_name").optional().describe("Session name; default `mlcloud`."))
                        .attr(Attribute::string("external_id").optional().sensitive().describe("External id the role's trust policy requires.")),
                ),
            )
            .attr(super::common::ca_certificate_file_attr("every AWS connection the provider makes (the AWS APIs and the clusters' API servers behind `endpoints { kubernetes }`)", None))
            .block(endpoints_block("AWS", SERVICES))
            .block(retry_block()),
    )
}

/// `Debug` is written by hand: the keys, the session token and the external id are
/// shown as set or not, never printed.
#[derive(Clone, Default, Deserialize)]
pub struct AwsConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub assume_role: Option<AssumeRole>,
    pub ca_certificate_file: Option<String>,
    pub endpoints: Option<Endpoints>,
    pub retry: Option<RetryBlock>,
}

#[derive(Clone, Default, Deserialize)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

impl std::fmt::Debug for AwsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsConfig")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("access_key", &Redacted(&self.access_key))
            .field("secret_key", &Redacted(&self.secret_key))
            .field("token", &Redacted(&self.token))
            .field("assume_role", &self.assume_role)
            .field("ca_certificate_file", &self.ca_certificate_file)
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .finish()
    }
}

impl std::fmt::Debug for AssumeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRole")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("external_id", &Redacted(&self.external_id))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_whether_secrets_are_set_never_their_values() {
        let config = AwsConfig {
            region: Some("us-east-1".into()),
            access_key: Some("AKIAPLANTEDKEY".into()),
            secret_key: Some("planted-secret".into()),
            token: Some("planted-token".into()),
            assume_role: Some(AssumeRole {
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
                session_name: None,
                external_id: Some("planted-external".into()),
            }),
            ..AwsConfig::default()
        };
        let text = format!("{config:?} {config:#?}");
        assert!(
            !text.contains("PLANTED") && !text.contains("planted"),
            "{text}"
        );
        assert!(
            text.contains("us-east-1") && text.contains("role/r"),
            "{text}"
        );
        assert!(text.contains("access_key: Some(<redacted>)"), "{text}");
    }
}
