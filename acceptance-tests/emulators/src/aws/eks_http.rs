//! The EKS requests the aws part answers itself or amends: the routes moto lacks are
//! served from [`EksModel`] (with the facts moto holds: does the cluster exist, its
//! version, its node groups); the routes moto has are forwarded, and what EKS would
//! answer differently is overlaid on moto's answer (versions, UPDATING, accessConfig,
//! update objects with ids).

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use super::eks_model::{ClusterFacts, EksModel};
use super::eks_routes::EksRoute;
use super::encoding::{form_value, percent_decode, percent_encode};
use super::errors::{AwsError, render};
use super::forward::{Moto, bad_gateway};
use super::idempotency::{TokenBook, key_of};
use super::operation::Scope;

/// What answering one request needs.
pub struct Eks<'a> {
    pub moto: &'a Moto,
    pub model: &'a EksModel,
    pub tokens: &'a TokenBook,
}

/// The EKS creates that take a `clientRequestToken`.
fn takes_token(route: &EksRoute) -> bool {
    matches!(
        route,
        EksRoute::CreateCluster
            | EksRoute::CreateNodegroup { .. }
            | EksRoute::CreateAccessEntry { .. }
            | EksRoute::CreatePodIdentityAssociation { .. }
    )
}

/// Either an answer to send as is (moto's error, a gateway error) or an EKS error.
enum Refusal {
    Response(Box<Response<Bytes>>),
    Error(AwsError),
}

impl From<AwsError> for Refusal {
    fn from(error: AwsError) -> Self {
        Refusal::Error(error)
    }
}

type Answer = Result<Value, Refusal>;

fn ok(body: &Value) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", super::ids::uuid())
        .body(Bytes::from(body.to_string()))
        .expect("a JSON response")
}

fn json_body(request: &Request<Bytes>) -> Result<Value, AwsError> {
    if request.body().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(request.body()).map_err(|error| {
        AwsError::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameterException",
            format!("the request body is not JSON: {error}"),
        )
    })
}

fn query(request: &Request<Bytes>, key: &str) -> Option<String> {
    request
        .uri()
        .query()
        .and_then(|query| form_value(query, key))
}

/// Every value of a repeated query parameter (`tagKeys=a&tagKeys=b`).
fn query_values(request: &Request<Bytes>, key: &str) -> Vec<String> {
    let Some(query) = request.uri().query() else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| percent_decode(name) == key)
        .map(|(_, value)| percent_decode(&value.replace('+', " ")))
        .collect()
}

fn is_success(response: &Response<Bytes>) -> bool {
    response.status().is_success()
}

fn body_json(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

fn with_json(response: Response<Bytes>, body: &Value) -> Response<Bytes> {
    let (head, _) = response.into_parts();
    Response::from_parts(head, Bytes::from(body.to_string()))
}

/// The IAM principal EKS gives the creator's access entry for a caller ARN: an
/// assumed role's session is its role; a user is itself (moto names its default
/// user with an `sts` ARN).
fn creator_principal(caller: &str) -> Option<String> {
    let mut parts = caller.splitn(6, ':');
    let (_, partition, _, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if let Some(session) = resource.strip_prefix("assumed-role/") {
        let role = session.split('/').next()?;
        return Some(format!("arn:{partition}:iam::{account}:role/{role}"));
    }
    let user = resource.strip_prefix("user/")?;
    Some(format!("arn:{partition}:iam::{account}:user/{user}"))
}

impl Eks<'_> {
    /// Answers an EKS request.
    pub async fn handle(&self, route: EksRoute, request: Request<Bytes>) -> Response<Bytes> {
        let scope = Scope::of(&request).unwrap_or_else(|| Scope {
            access_key: "unsigned".into(),
            date: "20260101".into(),
            region: "us-east-1".into(),
            service: "eks".into(),
        });
        let token = takes_token(&route)
            .then(|| serde_json::from_slice::<Value>(request.body()).ok())
            .flatten()
            .and_then(|body| key_of(route.operation(), request.uri().path(), &body));
        let body = request.body().clone();
        if let Some(earlier) = token
            .as_ref()
            .and_then(|key| self.tokens.replay(key, &body))
        {
            return earlier;
        }
        let response = match self.answer(&scope, route, request).await {
            Ok(response) => response,
            Err(Refusal::Response(response)) => *response,
            Err(Refusal::Error(error)) => render(Some("eks"), &error, None),
        };
        if let Some(key) = token {
            self.tokens.remember(key, body, &response);
        }
        response
    }

    async fn answer(
        &self,
        scope: &Scope,
        route: EksRoute,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, Refusal> {
        use EksRoute::*;
        let model = self.model;
        let served = |answer: Answer| answer.map(|body| ok(&body));
        match route {
            CreateCluster => self.create_cluster(scope, request).await,
            DescribeCluster { .. } => {
                let response = self.forward(request).await?;
                Ok(self.amend(response, "cluster", |cluster| {
                    model.overlay_cluster(cluster)
                }))
            }
            DeleteCluster { cluster } => {
                let response = self.forward(request).await?;
                if is_success(&response) {
                    model.cluster_deleted(&cluster);
                }
                Ok(response)
            }
            UpdateClusterConfig { cluster } => {
                self.update_cluster_config(scope, &cluster, request).await
            }
            UpdateClusterVersion { cluster } => {
                let facts = self.cluster(scope, &cluster).await?;
                let body = json_body(&request)?;
                let requested = body["version"].as_str().unwrap_or_default().to_string();
                let nodegroups = self.nodegroup_versions(scope, &facts).await?;
                served(
                    model
                        .update_cluster_version(&facts, &requested, &nodegroups)
                        .map(|update| json!({ "update": update }))
                        .map_err(Refusal::from),
                )
            }
            ListUpdates { cluster } => {
                self.cluster(scope, &cluster).await?;
                let nodegroup = query(&request, "nodegroupName");
                served(Ok(model.list_updates(&cluster, nodegroup.as_deref())))
            }
            DescribeUpdate { cluster, update_id } => {
                self.cluster(scope, &cluster).await?;
                let nodegroup = query(&request, "nodegroupName");
                served(
                    model
                        .describe_update(&cluster, nodegroup.as_deref(), &update_id)
                        .map_err(Refusal::from),
                )
            }
            CreateNodegroup { cluster } => self.create_nodegroup(scope, &cluster, request).await,
            DescribeNodegroup { cluster, .. } => {
                let response = self.forward(request).await?;
                Ok(self.amend(response, "nodegroup", |nodegroup| {
                    model.overlay_nodegroup(&cluster, nodegroup)
                }))
            }
            DeleteNodegroup { cluster, nodegroup } => {
                let response = self.forward(request).await?;
                if is_success(&response) {
                    model.nodegroup_deleted(&cluster, &nodegroup);
                }
                Ok(response)
            }
            UpdateNodegroupConfig { cluster, nodegroup } => {
                model.check_not_updating(&cluster, Some(&nodegroup))?;
                let response = self.forward(request).await?;
                if !is_success(&response) {
                    return Ok(response);
                }
                // moto applies it at once and says Successful; EKS says InProgress and
                // DescribeUpdate follows it under the same id.
                let answer = body_json(&response);
                let params = answer["update"]["params"]
                    .as_array()
                    .map(|params| {
                        params
                            .iter()
                            .map(|param| {
                                (
                                    param["type"].as_str().unwrap_or_default().to_string(),
                                    param["value"].as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let update = model.config_update(
                    &cluster,
                    Some(&nodegroup),
                    answer["update"]["type"].as_str().unwrap_or("ConfigUpdate"),
                    params,
                    answer["update"]["id"].as_str().map(str::to_string),
                );
                Ok(with_json(response, &json!({ "update": update })))
            }
            UpdateNodegroupVersion { cluster, nodegroup } => {
                let facts = self.cluster(scope, &cluster).await?;
                self.nodegroup(scope, &cluster, &nodegroup).await?;
                let body = json_body(&request)?;
                served(
                    model
                        .update_nodegroup_version(
                            &facts,
                            &nodegroup,
                            body["version"].as_str(),
                            body["releaseVersion"].as_str(),
                        )
                        .map(|update| json!({ "update": update }))
                        .map_err(Refusal::from),
                )
            }
            CreateAccessEntry { cluster } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.create_access_entry(&facts, &json_body(&request)?)?))
            }
            ListAccessEntries { cluster } => {
                let facts = self.cluster(scope, &cluster).await?;
                let policy = query(&request, "associatedPolicyArn");
                served(Ok(model.list_access_entries(&facts, policy.as_deref())?))
            }
            DescribeAccessEntry { cluster, principal } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.describe_access_entry(&facts, &principal)?))
            }
            UpdateAccessEntry { cluster, principal } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.update_access_entry(
                    &facts,
                    &principal,
                    &json_body(&request)?,
                )?))
            }
            DeleteAccessEntry { cluster, principal } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.delete_access_entry(&facts, &principal)?))
            }
            AssociateAccessPolicy { cluster, principal } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.associate_access_policy(
                    &facts,
                    &principal,
                    &json_body(&request)?,
                )?))
            }
            ListAssociatedAccessPolicies { cluster, principal } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(
                    model.list_associated_access_policies(&facts, &principal)?
                ))
            }
            DisassociateAccessPolicy {
                cluster,
                principal,
                policy,
            } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(
                    model.disassociate_access_policy(&facts, &principal, &policy)?
                ))
            }
            ListAccessPolicies => served(Ok(EksModel::list_access_policies())),
            CreatePodIdentityAssociation { cluster } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.create_pod_identity(&facts, &json_body(&request)?)?))
            }
            ListPodIdentityAssociations { cluster } => {
                let facts = self.cluster(scope, &cluster).await?;
                let namespace = query(&request, "namespace");
                let service_account = query(&request, "serviceAccount");
                served(Ok(model.list_pod_identities(
                    &facts,
                    namespace.as_deref(),
                    service_account.as_deref(),
                )?))
            }
            DescribePodIdentityAssociation {
                cluster,
                association,
            } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.describe_pod_identity(&facts, &association)?))
            }
            DeletePodIdentityAssociation {
                cluster,
                association,
            } => {
                let facts = self.cluster(scope, &cluster).await?;
                served(Ok(model.delete_pod_identity(&facts, &association)?))
            }
            TagNodegroup { cluster, nodegroup } => {
                let current = self.nodegroup(scope, &cluster, &nodegroup).await?;
                let body = json_body(&request)?;
                let set = body["tags"].as_object().cloned().unwrap_or_default();
                model.change_nodegroup_tags(&cluster, &nodegroup, &current["tags"], &set, &[])?;
                served(Ok(json!({})))
            }
            UntagNodegroup { cluster, nodegroup } => {
                let current = self.nodegroup(scope, &cluster, &nodegroup).await?;
                let keys = query_values(&request, "tagKeys");
                let none = serde_json::Map::new();
                model.change_nodegroup_tags(
                    &cluster,
                    &nodegroup,
                    &current["tags"],
                    &none,
                    &keys,
                )?;
                served(Ok(json!({})))
            }
            ListNodegroupTags { cluster, nodegroup } => {
                let current = self.nodegroup(scope, &cluster, &nodegroup).await?;
                served(Ok(json!({ "tags": current["tags"] })))
            }
            ListClusters | ListNodegroups { .. } | Other(_) => self.forward(request).await,
        }
    }

    async fn forward(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Refusal> {
        self.moto
            .forward(request)
            .await
            .map_err(|error| Refusal::Response(Box::new(bad_gateway(&error))))
    }

    /// Applies `overlay` to the object under `key` of a successful answer.
    fn amend(
        &self,
        response: Response<Bytes>,
        key: &str,
        overlay: impl FnOnce(&mut Value),
    ) -> Response<Bytes> {
        if !is_success(&response) {
            return response;
        }
        let mut body = body_json(&response);
        if body[key].is_object() {
            overlay(&mut body[key]);
        }
        with_json(response, &body)
    }

    /// A GET of the part's own to moto's EKS, in the scope of the request it serves.
    async fn moto_get(&self, scope: &Scope, path: &str) -> Result<Response<Bytes>, Refusal> {
        self.moto
            .call(
                Method::GET,
                path,
                &scope.authorization_for("eks"),
                None,
                Bytes::new(),
            )
            .await
            .map_err(|error| Refusal::Response(Box::new(bad_gateway(&error))))
    }

    /// The cluster as moto has it; moto's own ResourceNotFoundException when it has
    /// none.
    async fn cluster(&self, scope: &Scope, name: &str) -> Result<ClusterFacts, Refusal> {
        let response = self
            .moto_get(scope, &format!("/clusters/{}", percent_encode(name)))
            .await?;
        if !is_success(&response) {
            return Err(Refusal::Response(Box::new(response)));
        }
        let body = body_json(&response);
        Ok(ClusterFacts {
            name: name.to_string(),
            arn: body["cluster"]["arn"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            version: body["cluster"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        })
    }

    /// The node group as moto has it, with the overlay.
    async fn nodegroup(&self, scope: &Scope, cluster: &str, name: &str) -> Result<Value, Refusal> {
        let response = self
            .moto_get(
                scope,
                &format!(
                    "/clusters/{}/node-groups/{}",
                    percent_encode(cluster),
                    percent_encode(name)
                ),
            )
            .await?;
        if !is_success(&response) {
            return Err(Refusal::Response(Box::new(response)));
        }
        let mut nodegroup = body_json(&response)["nodegroup"].take();
        self.model.overlay_nodegroup(cluster, &mut nodegroup);
        Ok(nodegroup)
    }

    /// Every node group of the cluster with its version.
    async fn nodegroup_versions(
        &self,
        scope: &Scope,
        cluster: &ClusterFacts,
    ) -> Result<Vec<(String, String)>, Refusal> {
        let response = self
            .moto_get(
                scope,
                &format!("/clusters/{}/node-groups", percent_encode(&cluster.name)),
            )
            .await?;
        if !is_success(&response) {
            return Err(Refusal::Response(Box::new(response)));
        }
        let names: Vec<String> = body_json(&response)["nodegroups"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|name| name.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut versions = Vec::new();
        for name in names {
            let nodegroup = self.nodegroup(scope, &cluster.name, &name).await?;
            versions.push((
                name,
                nodegroup["version"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        Ok(versions)
    }

    /// The caller's ARN (STS GetCallerIdentity at moto), the creator EKS bootstraps.
    async fn caller(&self, scope: &Scope) -> Option<String> {
        let response = self
            .moto
            .call(
                Method::POST,
                "/",
                &scope.authorization_for("sts"),
                Some("application/x-www-form-urlencoded"),
                Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15"),
            )
            .await
            .ok()?;
        let text = String::from_utf8_lossy(response.body()).into_owned();
        let start = text.find("<Arn>")? + "<Arn>".len();
        let end = text[start..].find("</Arn>")? + start;
        creator_principal(&text[start..end])
    }

    async fn create_cluster(
        &self,
        scope: &Scope,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, Refusal> {
        let body = json_body(&request)?;
        let response = self.forward(request).await?;
        if !is_success(&response) {
            return Ok(response);
        }
        let mut answer = body_json(&response);
        let cluster = &answer["cluster"];
        let facts = ClusterFacts {
            name: cluster["name"].as_str().unwrap_or_default().to_string(),
            arn: cluster["arn"].as_str().unwrap_or_default().to_string(),
            version: cluster["version"].as_str().unwrap_or_default().to_string(),
        };
        let caller = self.caller(scope).await;
        self.model
            .cluster_created(&facts, &body["accessConfig"], caller.as_deref());
        self.model.overlay_cluster(&mut answer["cluster"]);
        Ok(with_json(response, &answer))
    }

    async fn create_nodegroup(
        &self,
        scope: &Scope,
        cluster: &str,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, Refusal> {
        let facts = self.cluster(scope, cluster).await?;
        let cluster_version = self.model.cluster_version(&facts);
        let body = json_body(&request)?;
        if let Some(requested) = body["version"].as_str() {
            EksModel::check_nodegroup_version(requested, &cluster_version)?;
        }
        let response = self.forward(request).await?;
        if !is_success(&response) {
            return Ok(response);
        }
        let version = body["version"].as_str().unwrap_or(&cluster_version);
        let name = body["nodegroupName"].as_str().unwrap_or_default();
        self.model.nodegroup_created(cluster, name, version);
        Ok(self.amend(response, "nodegroup", |nodegroup| {
            self.model.overlay_nodegroup(cluster, nodegroup)
        }))
    }

    /// UpdateClusterConfig: one kind of change per request, as EKS insists; an
    /// `accessConfig` change is the model's; the rest goes to moto, whose answer (the
    /// cluster) becomes the update EKS would have started.
    async fn update_cluster_config(
        &self,
        scope: &Scope,
        cluster: &str,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, Refusal> {
        let body = json_body(&request)?;
        let kinds: Vec<&str> = [
            "resourcesVpcConfig",
            "logging",
            "accessConfig",
            "kubernetesNetworkConfig",
            "upgradePolicy",
            "zonalShiftConfig",
            "computeConfig",
            "storageConfig",
            "remoteNetworkConfig",
        ]
        .into_iter()
        .filter(|kind| body.get(*kind).is_some_and(|value| !value.is_null()))
        .collect();
        if kinds.len() > 1 {
            return Err(AwsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidParameterException",
                "Only one type of update can be allowed.",
            )
            .into());
        }
        self.model.check_not_updating(cluster, None)?;
        if kinds.first() == Some(&"accessConfig") {
            let facts = self.cluster(scope, cluster).await?;
            let update = self
                .model
                .update_access_config(&facts, &body["accessConfig"])?;
            return Ok(ok(&json!({ "update": update })));
        }
        let response = self.forward(request).await?;
        if !is_success(&response) {
            return Ok(response);
        }
        let (kind, params) = match kinds.first().copied() {
            Some("resourcesVpcConfig") => {
                let config = &body["resourcesVpcConfig"];
                let mut params = Vec::new();
                for (field, param) in [
                    ("endpointPublicAccess", "EndpointPublicAccess"),
                    ("endpointPrivateAccess", "EndpointPrivateAccess"),
                    ("publicAccessCidrs", "PublicAccessCidrs"),
                ] {
                    if let Some(value) = config.get(field) {
                        params.push((param.to_string(), value.to_string()));
                    }
                }
                let kind = if config.get("subnetIds").is_some()
                    || config.get("securityGroupIds").is_some()
                {
                    "VpcConfigUpdate"
                } else {
                    "EndpointAccessUpdate"
                };
                (kind, params)
            }
            Some("logging") => (
                "LoggingUpdate",
                vec![("ClusterLogging".to_string(), body["logging"].to_string())],
            ),
            _ => ("ConfigUpdate", Vec::new()),
        };
        let update = self.model.config_update(cluster, None, kind, params, None);
        Ok(with_json(response, &json!({ "update": update })))
    }
}

#[cfg(test)]
mod tests {
    use super::creator_principal;

    #[test]
    fn the_creator_is_the_role_behind_a_session() {
        assert_eq!(
            creator_principal("arn:aws:sts::123456789012:assumed-role/admin/alice").as_deref(),
            Some("arn:aws:iam::123456789012:role/admin")
        );
        assert_eq!(
            creator_principal("arn:aws:iam::123456789012:user/bob").as_deref(),
            Some("arn:aws:iam::123456789012:user/bob")
        );
        assert_eq!(
            creator_principal("arn:aws:sts::123456789012:user/moto").as_deref(),
            Some("arn:aws:iam::123456789012:user/moto")
        );
        assert_eq!(
            creator_principal("arn:aws:sts::123456789012:federated-user/x"),
            None
        );
    }
}
