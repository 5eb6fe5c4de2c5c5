//! IAM and KMS policy documents as typed values: the trust policy for each identity
//! purpose, the inline policy `grants` become, the KMS key policy, and the way back
//! from a document read from AWS to purposes, bindings and grants.
//!
//! Grants name exact resources: no `"*"` action and no `"*"` resource, checked by
//! [`check_narrow`] before any document is sent.

use super::arn::Arn;
use crate::clouds::CloudError;
use crate::clouds::model::{Grant, GrantAction, Purpose};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

pub const VERSION: &str = "2012-10-17";
/// The inline policy holding an identity's grants.
pub const GRANTS_POLICY_NAME: &str = "mlcloud-grants";
/// The audience EKS service account tokens carry for IAM roles (IRSA).
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// A policy document (`{"Version", "Statement"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "Statement", deserialize_with = "one_or_many")]
    pub statement: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(default, skip_serializing_if = "Values::is_empty")]
    pub action: Values,
    #[serde(default, skip_serializing_if = "Values::is_empty")]
    pub resource: Values,
    /// Operator (`StringEquals`) → condition key → values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<String, BTreeMap<String, Values>>,
}

/// `"Principal": "*"` or `"Principal": {"Service": [...], "AWS": ..., "Federated": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Principal {
    Anyone(String),
    Of(BTreeMap<String, Values>),
}

/// A string or a list of strings (IAM accepts both); always held as a list. Booleans and
/// numbers in conditions are kept as their text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Values(pub Vec<String>);

impl Values {
    pub fn of<const N: usize>(items: [&str; N]) -> Values {
        Values(items.iter().map(|s| s.to_string()).collect())
    }

    pub fn one(item: impl Into<String>) -> Values {
        Values(vec![item.into()])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, item: &str) -> bool {
        self.0.iter().any(|v| v == item)
    }

    fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.0.iter().map(String::as_str).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn text(v: serde_json::Value) -> String {
            match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }
        }
        Ok(Values(match serde_json::Value::deserialize(d)? {
            serde_json::Value::Array(items) => items.into_iter().map(text).collect(),
            serde_json::Value::Null => Vec::new(),
            single => vec![text(single)],
        }))
    }
}

fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(t) => vec![t],
    })
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument {
            version: VERSION.into(),
            id: None,
            statement,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("policy documents always serialize")
    }

    /// Parses a document as IAM returns it: URL-encoded (`GetRole`, `GetRolePolicy`)
    /// or plain JSON.
    pub fn parse(text: &str) -> Result<PolicyDocument, CloudError> {
        let parse = |t: &str| serde_json::from_str::<PolicyDocument>(t);
        parse(text)
            .or_else(|first| {
                let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
                parse(&decoded).map_err(|_| first)
            })
            .map_err(|e| {
                CloudError::Invalid(format!("cannot read the policy document AWS returned: {e}"))
            })
    }

    /// Equality that ignores what IAM may rewrite: the order and repetition of actions,
    /// resources and condition values, and single values vs one-element lists.
    pub fn same_as(&self, other: &PolicyDocument) -> bool {
        fn key(doc: &PolicyDocument) -> Vec<String> {
            let mut statements: Vec<String> = doc
                .statement
                .iter()
                .map(|s| {
                    let principal = match &s.principal {
                        None => String::new(),
                        Some(Principal::Anyone(p)) => p.clone(),
                        Some(Principal::Of(m)) => m
                            .iter()
                            .map(|(k, v)| format!("{k}={:?}", v.sorted()))
                            .collect::<Vec<_>>()
                            .join(";"),
                    };
                    let condition: Vec<String> = s
                        .condition
                        .iter()
                        .flat_map(|(op, keys)| {
                            keys.iter()
                                .map(move |(k, v)| format!("{op}:{k}={:?}", v.sorted()))
                        })
                        .collect();
                    format!(
                        "{:?}|{}|{}|{:?}|{:?}|{:?}",
                        s.sid,
                        s.effect,
                        principal,
                        s.action.sorted(),
                        s.resource.sorted(),
                        condition
                    )
                })
                .collect();
            statements.sort();
            statements
        }
        self.version == other.version && key(self) == key(other)
    }
}

fn allow() -> String {
    "Allow".into()
}

/// `StringEquals { key: value }`, the one-key condition the account pins are made of.
fn string_equals(key: &str, value: &str) -> BTreeMap<String, BTreeMap<String, Values>> {
    BTreeMap::from([(
        "StringEquals".to_string(),
        BTreeMap::from([(key.to_string(), Values::one(value))]),
    )])
}

fn principal(kind: &str, value: impl Into<String>) -> Option<Principal> {
    Some(Principal::Of(BTreeMap::from([(
        kind.to_string(),
        Values::one(value),
    )])))
}

// ---------------------------------------------------------------- trust policies

/// The service account a workload role trusts, through the cluster's OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentityTrust {
    pub provider_arn: String,
    /// The issuer URL without scheme, as IAM condition keys spell it.
    pub issuer: String,
    pub namespace: String,
    pub service_account: String,
}

fn ec2_service(partition: &str) -> &'static str {
    if partition == "aws-cn" {
        "ec2.amazonaws.com.cn"
    } else {
        "ec2.amazonaws.com"
    }
}

/// The trust policy for `purpose`: EKS for clusters, EC2 for nodes, the cluster's OIDC
/// provider for one service account for workloads. `account` is the caller's, the
/// account the role lives in.
///
/// The cluster role only lets EKS in on behalf of `account` (`aws:SourceAccount`): EKS
/// is a shared service, and without the pin a cluster in another account that names
/// this role's ARN could make EKS assume it (the confused deputy). Node roles stay
/// without it: EC2 is not documented to send `aws:SourceAccount` when it fetches
/// instance profile credentials, and a condition it does not send would lock nodes out.
pub fn trust_policy(
    purpose: Purpose,
    partition: &str,
    account: &str,
    web_identity: Option<&WebIdentityTrust>,
) -> Result<PolicyDocument, CloudError> {
    let statement = match purpose {
        Purpose::Cluster => Statement {
            sid: Some("EksControlPlane".into()),
            effect: allow(),
            principal: principal("Service", "eks.amazonaws.com"),
            action: Values::of(["sts:AssumeRole"]),
            resource: Values::default(),
            condition: string_equals("aws:SourceAccount", account),
        },
        Purpose::Node => Statement {
            sid: Some("EksNodes".into()),
            effect: allow(),
            principal: principal("Service", ec2_service(partition)),
            action: Values::of(["sts:AssumeRole"]),
            resource: Values::default(),
            condition: BTreeMap::new(),
        },
        Purpose::Workload => {
            let trust = web_identity.ok_or_else(|| {
                CloudError::Invalid("a workload identity needs a workload {} binding".into())
            })?;
            let subject = format!(
                "system:serviceaccount:{}:{}",
                trust.namespace, trust.service_account
            );
            Statement {
                sid: Some("ServiceAccount".into()),
                effect: allow(),
                principal: principal("Federated", &trust.provider_arn),
                action: Values::of(["sts:AssumeRoleWithWebIdentity"]),
                resource: Values::default(),
                condition: BTreeMap::from([(
                    "StringEquals".to_string(),
                    BTreeMap::from([
                        (format!("{}:sub", trust.issuer), Values::one(subject)),
                        (format!("{}:aud", trust.issuer), Values::one(STS_AUDIENCE)),
                    ]),
                )]),
            }
        }
    };
    Ok(PolicyDocument::new(vec![statement]))
}

/// What a trust policy read from AWS trusts: the purpose, and for workloads the
/// federated provider and service account.
pub fn read_trust(doc: &PolicyDocument) -> (Option<Purpose>, Option<WebIdentityTrust>) {
    for s in doc.statement.iter().filter(|s| s.effect == "Allow") {
        let Some(Principal::Of(p)) = &s.principal else {
            continue;
        };
        if let Some(services) = p.get("Service") {
            if services.contains("eks.amazonaws.com") {
                return (Some(Purpose::Cluster), None);
            }
            if services
                .0
                .iter()
                .any(|v| v.starts_with("ec2.amazonaws.com"))
            {
                return (Some(Purpose::Node), None);
            }
        }
        if let Some(provider) = p.get("Federated").and_then(|v| v.0.first()) {
            let subject = s
                .condition
                .values()
                .flat_map(|keys| keys.iter())
                .find_map(|(k, v)| {
                    let issuer = k.strip_suffix(":sub")?;
                    let sa = v.0.first()?.strip_prefix("system:serviceaccount:")?;
                    let (namespace, service_account) = sa.split_once(':')?;
                    Some(WebIdentityTrust {
                        provider_arn: provider.clone(),
                        issuer: issuer.to_string(),
                        namespace: namespace.to_string(),
                        service_account: service_account.to_string(),
                    })
                });
            return (Some(Purpose::Workload), subject);
        }
    }
    (None, None)
}

/// AWS-managed policies each purpose needs (names under `arn:<partition>:iam::aws:policy/`).
pub fn managed_policies(purpose: Purpose) -> &'static [&'static str] {
    match purpose {
        Purpose::Cluster => &["AmazonEKSClusterPolicy"],
        Purpose::Node => &[
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
        ],
        Purpose::Workload => &[],
    }
}

// ---------------------------------------------------------------- grants

const KMS_DECRYPT: [&str; 2] = ["kms:Decrypt", "kms:DescribeKey"];
const KMS_ENCRYPT_DECRYPT: [&str; 5] = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
];
const S3_READ: [&str; 1] = ["s3:GetObject"];
const S3_WRITE: [&str; 4] = [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:PutObject",
];
const S3_LIST: [&str; 1] = ["s3:ListBucket"];

/// `s3://bucket/prefix` taken apart. The prefix is an S3 key prefix, literally: `p/`
/// covers `p/…`, `p` also covers `p2/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
}

impl<'a> S3Location<'a> {
    pub fn parse(target: &'a str) -> Result<S3Location<'a>, CloudError> {
        let bad = |why: &str| {
            CloudError::Invalid(format!(
                "grant target {target:?} is not a model store on aws: {why} (expected s3://bucket/prefix/)"
            ))
        };
        let rest = target
            .strip_prefix("s3://")
            .ok_or_else(|| bad("it must start with s3://"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
        if !bucket_ok {
            return Err(bad(
                "the bucket name must be 3-63 characters of a-z, 0-9, '.', '-'",
            ));
        }
        if prefix.contains(['*', '?']) || prefix.contains("${") {
            return Err(bad("wildcards and policy variables would widen the grant"));
        }
        Ok(S3Location { bucket, prefix })
    }

    /// How a grant's target reads back: `s3://bucket` for a whole bucket.
    fn target(bucket: &str, prefix: &str) -> String {
        if prefix.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{prefix}")
        }
    }
}

/// Checks that a grant target names exactly one KMS key.
pub fn kms_key_arn(target: &str) -> Result<&str, CloudError> {
    let ok = Arn::parse(target).is_some_and(|a| {
        a.service == "kms"
            && !a.region.is_empty()
            && a.account.len() == 12
            && a.resource.strip_prefix("key/").is_some_and(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    });
    if ok {
        Ok(target)
    } else {
        Err(CloudError::Invalid(format!(
            "grant target {target:?} is not a KMS key ARN (use the key_ref of an mlcloud_kms_key)"
        )))
    }
}

fn sid_word(action: GrantAction) -> &'static str {
    match action {
        GrantAction::KmsDecrypt => "KmsDecrypt",
        GrantAction::KmsEncryptDecrypt => "KmsEncryptDecrypt",
        GrantAction::ModelStoreRead => "ModelStoreRead",
        GrantAction::ModelStoreWrite => "ModelStoreWrite",
    }
}

/// The inline policy for `grants` (`None` when there are none). Each grant becomes
/// statements whose `Sid` says which grant they come from, so a document read back from
/// AWS turns into the same grants.
///
/// S3 statements only reach buckets owned by `account` (`s3:ResourceAccount`): bucket
/// names are global and an ARN does not say whose bucket it is, so without the pin a
/// bucket of the same name in another account (say, one re-created after ours was
/// deleted) would take our reads and writes.
pub fn grants_policy(
    grants: &[Grant],
    partition: &str,
    account: &str,
) -> Result<Option<PolicyDocument>, CloudError> {
    if grants.is_empty() {
        return Ok(None);
    }
    let mut statement = Vec::new();
    for (index, grant) in grants.iter().enumerate() {
        let sid = format!("{}{index}", sid_word(grant.action));
        match grant.action {
            GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt => {
                let key = kms_key_arn(&grant.target)?;
                let actions = if grant.action == GrantAction::KmsDecrypt {
                    Values::of(KMS_DECRYPT)
                } else {
                    Values::of(KMS_ENCRYPT_DECRYPT)
                };
                statement.push(Statement {
                    sid: Some(sid),
                    effect: allow(),
                    principal: None,
                    action: actions,
                    resource: Values::one(key),
                    condition: BTreeMap::new(),
                });
            }
            GrantAction::ModelStoreRead | GrantAction::ModelStoreWrite => {
                let store = S3Location::parse(&grant.target)?;
                let actions = if grant.action == GrantAction::ModelStoreRead {
                    Values::of(S3_READ)
                } else {
                    Values::of(S3_WRITE)
                };
                let owner = string_equals("s3:ResourceAccount", account);
                statement.push(Statement {
                    sid: Some(format!("{sid}Objects")),
                    effect: allow(),
                    principal: None,
                    action: actions,
                    resource: Values::one(format!(
                        "arn:{partition}:s3:::{}/{}*",
                        store.bucket, store.prefix
                    )),
                    condition: owner.clone(),
                });
                let mut condition = owner;
                if !store.prefix.is_empty() {
                    condition.insert(
                        "StringLike".to_string(),
                        BTreeMap::from([(
                            "s3:prefix".to_string(),
                            Values::one(format!("{}*", store.prefix)),
                        )]),
                    );
                }
                statement.push(Statement {
                    sid: Some(format!("{sid}List")),
                    effect: allow(),
                    principal: None,
                    action: Values::of(S3_LIST),
                    resource: Values::one(format!("arn:{partition}:s3:::{}", store.bucket)),
                    condition,
                });
            }
        }
    }
    let doc = PolicyDocument::new(statement);
    check_narrow(&doc).map_err(CloudError::Invalid)?;
    Ok(Some(doc))
}

/// The grants a policy made by [`grants_policy`] holds, in their original order.
/// Statements it did not write (edited out of band) are not grants and are skipped.
pub fn read_grants(doc: &PolicyDocument) -> Vec<Grant> {
    let mut found: BTreeMap<usize, Grant> = BTreeMap::new();
    for s in &doc.statement {
        let Some(sid) = s.sid.as_deref() else {
            continue;
        };
        let Some(resource) = s.resource.0.first() else {
            continue;
        };
        for action in GrantAction::ALL {
            let Some(rest) = sid.strip_prefix(sid_word(action)) else {
                continue;
            };
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let Ok(index) = digits.parse::<usize>() else {
                continue;
            };
            let part = &rest[digits.len()..];
            let target = match (action, part) {
                (GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt, "") => {
                    Some(resource.clone())
                }
                (GrantAction::ModelStoreRead | GrantAction::ModelStoreWrite, "Objects") => {
                    Arn::parse(resource)
                        .filter(|a| a.service == "s3")
                        .and_then(|a| a.resource.strip_suffix('*'))
                        .and_then(|path| path.split_once('/'))
                        .map(|(bucket, prefix)| S3Location::target(bucket, prefix))
                }
                _ => None,
            };
            if let Some(target) = target {
                found.insert(index, Grant { action, target });
            }
        }
    }
    found.into_values().collect()
}

/// Refuses documents wider than mlcloud writes: a `"*"` (or `service:*`) action, or a
/// `"*"` resource.
pub fn check_narrow(doc: &PolicyDocument) -> Result<(), String> {
    for s in &doc.statement {
        let sid = s.sid.as_deref().unwrap_or("(no sid)");
        if let Some(a) = s.action.0.iter().find(|a| *a == "*" || a.ends_with(":*")) {
            return Err(format!("statement {sid} would allow every action ({a})"));
        }
        if s.resource.0.iter().any(|r| r == "*") {
            return Err(format!("statement {sid} would apply to every resource"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- KMS key policy

/// The key policy: the account root (so IAM policies in the account decide), nothing
/// wider. This is the policy AWS itself gives a key created without one.
pub fn key_policy(partition: &str, account: &str) -> PolicyDocument {
    let autoscaling = format!(
        "arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    );
    PolicyDocument {
        version: VERSION.into(),
        id: Some("mlcloud-key-policy".into()),
        statement: vec![
            Statement {
                sid: Some("AccountRootManagesTheKey".into()),
                effect: allow(),
                principal: principal("AWS", format!("arn:{partition}:iam::{account}:root")),
                action: Values::of(["kms:*"]),
                resource: Values::of(["*"]),
                condition: BTreeMap::new(),
            },
            // Node groups launch their instances through Auto Scaling, which makes the
            // encrypted root volumes with this key: what EBS needs, and only that.
            Statement {
                sid: Some("AutoScalingUsesTheKeyForEbs".into()),
                effect: allow(),
                principal: principal("AWS", autoscaling.clone()),
                action: Values::of(EBS_KEY_ACTIONS),
                resource: Values::of(["*"]),
                condition: BTreeMap::new(),
            },
            Statement {
                sid: Some("AutoScalingGrantsForEbs".into()),
                effect: allow(),
                principal: principal("AWS", autoscaling),
                action: Values::of(["kms:CreateGrant"]),
                resource: Values::of(["*"]),
                condition: BTreeMap::from([(
                    "Bool".to_string(),
                    BTreeMap::from([(
                        "kms:GrantIsForAWSResource".to_string(),
                        Values::one("true"),
                    )]),
                )]),
            },
        ],
    }
}

/// What EBS asks of a volume's key on behalf of Auto Scaling (AWS's documented list,
/// with the wildcards written out).
pub const EBS_KEY_ACTIONS: [&str; 7] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn grant(action: GrantAction, target: &str) -> Grant {
        Grant {
            action,
            target: target.into(),
        }
    }

    fn json_of(doc: &PolicyDocument) -> serde_json::Value {
        serde_json::from_str(&doc.to_json()).unwrap()
    }

    #[test]
    fn kms_decrypt_allows_decrypt_and_describe_on_exactly_that_key() {
        let doc = grants_policy(&[grant(GrantAction::KmsDecrypt, KEY)], "aws", ACCOUNT)
            .unwrap()
            .unwrap();
        assert_eq!(
            json_of(&doc),
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "KmsDecrypt0", "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [KEY]
            }]})
        );
    }

    #[test]
    fn kms_encrypt_decrypt_adds_encrypt_data_keys_and_reencrypt() {
        let doc = grants_policy(
            &[grant(GrantAction::KmsEncryptDecrypt, KEY)],
            "aws",
            ACCOUNT,
        )
        .unwrap()
        .unwrap();
        let s = &doc.statement[0];
        assert_eq!(
            s.action.sorted(),
            [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*"
            ]
        );
        assert_eq!(s.resource.0, [KEY]);
    }

    #[test]
    fn model_store_read_gets_objects_under_the_prefix_and_lists_only_that_prefix() {
        let doc = grants_policy(
            &[grant(GrantAction::ModelStoreRead, "s3://bkt/p/")],
            "aws",
            ACCOUNT,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            json_of(&doc)["Statement"],
            json!([
                {"Sid": "ModelStoreRead0Objects", "Effect": "Allow",
                 "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::bkt/p/*"],
                 "Condition": {"StringEquals": {"s3:ResourceAccount": [ACCOUNT]}}},
                {"Sid": "ModelStoreRead0List", "Effect": "Allow",
                 "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::bkt"],
                 "Condition": {
                     "StringEquals": {"s3:ResourceAccount": [ACCOUNT]},
                     "StringLike": {"s3:prefix": ["p/*"]}
                 }}
            ])
        );
    }

    #[test]
    fn model_store_write_adds_put_delete_and_abort_on_the_prefix_only() {
        let doc = grants_policy(
            &[grant(GrantAction::ModelStoreWrite, "s3://models/llama/")],
            "aws",
            ACCOUNT,
        )
        .unwrap()
        .unwrap();
        let objects = &doc.statement[0];
        assert_eq!(
            objects.action.sorted(),
            [
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:PutObject"
            ]
        );
        assert_eq!(objects.resource.0, ["arn:aws:s3:::models/llama/*"]);
        let list = &doc.statement[1];
        assert_eq!(list.action.0, ["s3:ListBucket"]);
        assert_eq!(list.condition["StringLike"]["s3:prefix"].0, ["llama/*"]);
    }

    #[test]
    fn the_partition_follows_the_role() {
        let doc = grants_policy(
            &[grant(GrantAction::ModelStoreRead, "s3://bkt/p/")],
            "aws-cn",
            ACCOUNT,
        )
        .unwrap()
        .unwrap();
        assert_eq!(doc.statement[0].resource.0, ["arn:aws-cn:s3:::bkt/p/*"]);
    }

    #[test]
    fn no_grant_writes_a_star_action_or_a_star_resource() {
        let all = [
            grant(GrantAction::KmsDecrypt, KEY),
            grant(GrantAction::KmsEncryptDecrypt, KEY),
            grant(GrantAction::ModelStoreRead, "s3://bucket-a/x/"),
            grant(GrantAction::ModelStoreWrite, "s3://bucket-b"),
        ];
        let doc = grants_policy(&all, "aws", ACCOUNT).unwrap().unwrap();
        for s in &doc.statement {
            assert!(
                !s.action.0.iter().any(|a| a == "*" || a.ends_with(":*")),
                "{s:?}"
            );
            assert!(!s.resource.0.iter().any(|r| r == "*"), "{s:?}");
        }
        assert!(check_narrow(&doc).is_ok());
        let mut wide = doc.clone();
        wide.statement[0].resource = Values::of(["*"]);
        assert!(check_narrow(&wide).is_err());
        wide.statement[0].resource = Values::one(KEY);
        wide.statement[0].action = Values::of(["s3:*"]);
        assert!(check_narrow(&wide).is_err());
    }

    #[test]
    fn targets_that_would_widen_a_grant_are_refused() {
        for (action, target) in [
            (GrantAction::KmsDecrypt, "*"),
            (
                GrantAction::KmsDecrypt,
                "arn:aws:kms:us-east-1:123456789012:key/*",
            ),
            (
                GrantAction::KmsDecrypt,
                "arn:aws:kms:us-east-1:123456789012:alias/etcd",
            ),
            (GrantAction::ModelStoreRead, "s3://b/p/*"),
            (GrantAction::ModelStoreRead, "https://b.s3.amazonaws.com/p"),
            (GrantAction::ModelStoreRead, "s3://B/p"),
            (GrantAction::ModelStoreRead, "s3://b/p"),
        ] {
            let err = grants_policy(&[grant(action, target)], "aws", ACCOUNT).unwrap_err();
            assert!(err.to_string().contains(target), "{target}: {err}");
        }
    }

    #[test]
    fn grants_read_back_from_the_document_they_made() {
        let grants = vec![
            grant(GrantAction::ModelStoreRead, "s3://models-bucket/llama/"),
            grant(GrantAction::KmsDecrypt, KEY),
            grant(GrantAction::ModelStoreWrite, "s3://models-bucket"),
            grant(GrantAction::KmsEncryptDecrypt, KEY),
        ];
        let doc = grants_policy(&grants, "aws", ACCOUNT).unwrap().unwrap();
        let reread = PolicyDocument::parse(&doc.to_json()).unwrap();
        assert_eq!(read_grants(&reread), grants);
    }

    #[test]
    fn documents_parse_url_encoded_and_with_single_values() {
        let text = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22eks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%7D";
        let doc = PolicyDocument::parse(text).unwrap();
        assert_eq!(read_trust(&doc).0, Some(Purpose::Cluster));
        let ours = trust_policy(Purpose::Cluster, "aws", ACCOUNT, None).unwrap();
        let mut without_sid = ours.clone();
        without_sid.statement[0].sid = None;
        without_sid.statement[0].condition.clear();
        assert!(doc.same_as(&without_sid));
        assert!(
            !doc.same_as(&ours),
            "a different Sid is a different document"
        );
    }

    #[test]
    fn trust_policies_follow_the_purpose() {
        let node = json_of(&trust_policy(Purpose::Node, "aws", ACCOUNT, None).unwrap());
        assert_eq!(
            node["Statement"][0]["Principal"],
            json!({"Service": ["ec2.amazonaws.com"]})
        );
        assert_eq!(node["Statement"][0]["Action"], json!(["sts:AssumeRole"]));

        let trust = WebIdentityTrust {
            provider_arn:
                "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"
                    .into(),
            issuer: "oidc.eks.us-east-1.amazonaws.com/id/X".into(),
            namespace: "ml-serving".into(),
            service_account: "inference".into(),
        };
        let doc = trust_policy(Purpose::Workload, "aws", ACCOUNT, Some(&trust)).unwrap();
        assert_eq!(
            json_of(&doc)["Statement"][0],
            json!({
                "Sid": "ServiceAccount", "Effect": "Allow",
                "Principal": {"Federated": [trust.provider_arn]},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {"StringEquals": {
                    "oidc.eks.us-east-1.amazonaws.com/id/X:aud": ["sts.amazonaws.com"],
                    "oidc.eks.us-east-1.amazonaws.com/id/X:sub": ["system:serviceaccount:ml-serving:inference"]
                }}
            })
        );
        assert_eq!(read_trust(&doc), (Some(Purpose::Workload), Some(trust)));
        assert!(trust_policy(Purpose::Workload, "aws", ACCOUNT, None).is_err());
    }

    #[test]
    fn the_cluster_role_trusts_eks_only_for_its_own_account() {
        let doc = trust_policy(Purpose::Cluster, "aws", ACCOUNT, None).unwrap();
        assert_eq!(
            json_of(&doc),
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "EksControlPlane", "Effect": "Allow",
                "Principal": {"Service": ["eks.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}}
            }]})
        );
        let reread = PolicyDocument::parse(&doc.to_json()).unwrap();
        assert_eq!(read_trust(&reread), (Some(Purpose::Cluster), None));
        assert!(reread.same_as(&doc));
    }

    #[test]
    fn node_roles_carry_no_source_account_condition() {
        let doc = trust_policy(Purpose::Node, "aws", ACCOUNT, None).unwrap();
        assert!(doc.statement[0].condition.is_empty());
        assert_eq!(read_trust(&doc), (Some(Purpose::Node), None));
    }

    #[test]
    fn a_trust_policy_from_before_the_account_pin_is_converged() {
        // What earlier versions wrote: no condition. It still reads as a cluster role
        // (so the plan is empty), but it is not the desired document, so the next
        // update rewrites it.
        let old = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"EksControlPlane","Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        let new = trust_policy(Purpose::Cluster, "aws", ACCOUNT, None).unwrap();
        assert_eq!(read_trust(&old), read_trust(&new));
        assert!(!old.same_as(&new));
        let other = trust_policy(Purpose::Cluster, "aws", "210987654321", None).unwrap();
        assert!(!other.same_as(&new), "another account is another document");
    }

    #[test]
    fn every_s3_statement_pins_the_bucket_owner() {
        let grants = [
            grant(GrantAction::ModelStoreRead, "s3://bkt/p/"),
            grant(GrantAction::ModelStoreWrite, "s3://bkt"),
            grant(GrantAction::KmsDecrypt, KEY),
        ];
        let doc = grants_policy(&grants, "aws", ACCOUNT).unwrap().unwrap();
        for s in &doc.statement {
            let owner = s
                .condition
                .get("StringEquals")
                .and_then(|keys| keys.get("s3:ResourceAccount"));
            if s.action.0.iter().any(|a| a.starts_with("s3:")) {
                assert_eq!(
                    owner.map(|v| v.0.clone()),
                    Some(vec![ACCOUNT.into()]),
                    "{s:?}"
                );
            } else {
                assert!(owner.is_none(), "KMS statements name the key's ARN: {s:?}");
            }
        }
        // A whole-bucket list has no prefix condition, only the owner.
        let list = &doc.statement[3];
        assert_eq!(list.sid.as_deref(), Some("ModelStoreWrite1List"));
        assert_eq!(list.condition.keys().collect::<Vec<_>>(), ["StringEquals"]);
    }

    #[test]
    fn grants_from_before_the_owner_pin_read_back_the_same_and_are_converged() {
        let grants = vec![grant(GrantAction::ModelStoreRead, "s3://bkt/p/")];
        let new = grants_policy(&grants, "aws", ACCOUNT).unwrap().unwrap();
        let mut old = new.clone();
        for s in &mut old.statement {
            s.condition.remove("StringEquals");
        }
        assert_eq!(read_grants(&old), grants);
        assert_eq!(read_grants(&new), grants);
        assert!(!old.same_as(&new));
    }

    #[test]
    fn the_key_policy_names_the_account_root_and_lets_auto_scaling_make_ebs_volumes() {
        let doc = json_of(&key_policy("aws", "123456789012"));
        let statements = doc["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3);
        assert_eq!(
            statements[0]["Principal"],
            json!({"AWS": ["arn:aws:iam::123456789012:root"]})
        );
        let autoscaling = json!({"AWS": ["arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]});
        assert_eq!(statements[1]["Principal"], autoscaling);
        assert!(
            !statements[1]["Action"].to_string().contains('*'),
            "no wildcard actions"
        );
        assert_eq!(statements[2]["Principal"], autoscaling);
        assert_eq!(statements[2]["Action"], json!(["kms:CreateGrant"]));
        assert_eq!(
            statements[2]["Condition"],
            json!({"Bool": {"kms:GrantIsForAWSResource": ["true"]}})
        );
    }
}
