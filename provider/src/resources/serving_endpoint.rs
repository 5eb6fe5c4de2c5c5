//! `mlcloud_serving_endpoint`: a model server in a cluster, put in place through the
//! cluster's own API with a short-lived token (no kubeconfig, no exec plugin), waited
//! for as `kubectl rollout status` does, and proved by one real inference request.
//! Cloud-neutral: the cluster's cloud supplies the token, how a service account acts as
//! a cloud identity, which label names a pool's nodes and where the control plane's
//! requests come from (`ClusterAccess`).

use super::common::{cloud_attribute, clouds, invalid_at, required_cloud, str_attr};
use super::serving_config::*;
use crate::Cloud;
use crate::catalog::{self, AcceleratorKind};
use crate::clouds::model::{
    ClusterState, IdentitySpec, IdentityState, NodePoolSpec, NodePoolState, Purpose,
};
use crate::clouds::{Clouds, ObjectKind, RuleBook};
use crate::kube::endpoint::{self, EndpointError};
use crate::kube::smoke_test::{self, SmokeResult, SmokeTarget};
use crate::serving::spec::{Accelerators, EndpointSpec, Placement, Toleration};
use std::time::{Duration, Instant};
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, timeouts, validators};
use tfplug::{
    ApplyResult, AttributePath, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics,
    IdentityAttribute, IdentitySchema, ImportRequest, ImportResult, ReadRequest, ReadResult,
    Resource, ResourcePlan, Type, UpdateRequest, Value,
};

pub struct ServingEndpoint {
    rules: RuleBook,
}

impl ServingEndpoint {
    pub fn new(rules: RuleBook) -> Self {
        ServingEndpoint { rules }
    }
}

/// Model loading can take long; a rollout gives up by itself after 10 minutes without
/// progress (`progressDeadlineSeconds`).
const CREATE_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Attributes the provider computes; everything else is the user's input, and a
/// change to any input means a new rollout and a new smoke test.
const COMPUTED: [&str; 4] = ["id", "internal_url", "ready_replicas", "smoke_test_result"];

fn smoke_result_type() -> Type {
    Type::object([
        ("passed", Type::Bool),
        ("latency_ms", Type::Number),
        ("device", Type::String),
        ("model", Type::String),
        ("answer", Type::String),
        ("checked_at", Type::String),
    ])
}

pub fn smoke_result_value(result: &SmokeResult) -> Value {
    Value::object([
        ("passed", Value::from(true)),
        (
            "latency_ms",
            Value::from(i64::try_from(result.latency_ms).unwrap_or(i64::MAX)),
        ),
        ("device", Value::from(result.device.as_str())),
        ("model", Value::from(result.model.as_str())),
        ("answer", Value::from(result.answer.as_str())),
        (
            "checked_at",
            Value::from(super::cluster_credentials::rfc3339(result.checked_at)),
        ),
    ])
}

fn set(state: &mut Value, name: &str, value: Value) {
    if let Value::Object(m) = state {
        m.insert(name.into(), value);
    }
}

fn at(name: &str) -> AttributePath {
    AttributePath::attr(name)
}

/// What a failed rollout means for the user, on the attribute to change.
fn rollout_diagnostic(error: &EndpointError, config: &EndpointConfig) -> Diagnostic {
    let EndpointError::RolloutFailed(failure) = error else {
        return Diagnostic::error(
            "Cannot put the serving endpoint in place",
            error.to_string(),
        );
    };
    let (path, hint) = match failure.reason.as_str() {
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" => (
            Some(at("image")),
            "Check the image reference, and that the nodes may pull it (registry credentials, network path to the registry).",
        ),
        "CrashLoopBackOff" | "CreateContainerConfigError" | "CreateContainerError" => (
            Some(at("image")),
            "The container starts and exits: read its logs (kubectl logs --previous); check model.uri and the image's expected environment.",
        ),
        "Unschedulable" => (
            Some(if config.node_pool_id.is_some() {
                at("node_pool_id")
            } else {
                at("resources")
            }),
            "No node can take the pod: compare resources { cpu, memory, gpu } with what the pool's nodes offer, and the pool's size; a GPU endpoint needs a GPU pool (node_pool_id).",
        ),
        _ => (None, ""),
    };
    let d = Diagnostic::error(
        format!("The model server did not roll out: {}", failure.reason),
        format!("{failure}. {hint}"),
    );
    match path {
        Some(p) => d.at(p),
        None => d,
    }
}

/// The pods' placement from the pool: its nodes' pool label and its taints.
fn placement(pool_label: &str, pool: &NodePoolState) -> Placement {
    Placement {
        node_selector: [(pool_label.to_string(), pool.name.clone())].into(),
        tolerations: pool
            .taints
            .iter()
            .map(|t| Toleration {
                key: t.key.clone(),
                value: (!t.value.is_empty()).then(|| t.value.clone()),
                effect: t.effect.as_str().to_string(),
            })
            .collect(),
    }
}

/// The extended resource a pod on `pool` asks for: TPU chips on TPU machines, else
/// NVIDIA GPUs.
fn accelerator_resource(cloud: Cloud, pool: Option<&NodePoolState>) -> &'static str {
    let tpu = pool
        .and_then(|p| catalog::by_machine_type(cloud, &p.machine_type))
        .is_some_and(|o| o.kind == AcceleratorKind::Tpu);
    if tpu {
        "google.com/tpu"
    } else {
        "nvidia.com/gpu"
    }
}

/// The whole spec: the neutral part from the plan, the cloud parts from the
/// cluster's cloud. Errors are diagnostics on the attribute that names the object.
async fn resolve_spec(
    clouds: &Clouds,
    cloud: Cloud,
    cluster: &ClusterState,
    config: &EndpointConfig,
) -> Result<EndpointSpec, Diagnostic> {
    let access = clouds.cluster_access(cloud).await?;
    let mut spec = config.neutral_spec();
    let mut pool = None;
    if let Some(pool_id) = &config.node_pool_id {
        let backend = clouds.backend::<NodePoolSpec, NodePoolState>(cloud).await?;
        let found = backend
            .read(pool_id)
            .await
            .map_err(|e| {
                Diagnostic::error("Cannot read the node pool", e.to_string()).at(at("node_pool_id"))
            })?
            .ok_or_else(|| {
                invalid_at(
                    at("node_pool_id"),
                    format!("No {cloud} node pool has the id {pool_id:?}."),
                )
            })?;
        if !found.cluster_id.eq_ignore_ascii_case(&cluster.id) {
            return Err(invalid_at(
                at("node_pool_id"),
                format!(
                    "The node pool {:?} belongs to the cluster {:?}, not to cluster_id {:?}; name a pool of this endpoint's cluster.",
                    found.name, found.cluster_id, cluster.id
                ),
            ));
        }
        spec.placement = placement(access.pool_label(), &found);
        pool = Some(found);
    }
    let gpus = config.gpus();
    if gpus > 0 {
        let resource = accelerator_resource(cloud, pool.as_ref()).to_string();
        // Pods asking for an accelerator tolerate its taint, as Kubernetes'
        // ExtendedResourceToleration admission would add.
        spec.placement.tolerations.push(Toleration {
            key: resource.clone(),
            value: None,
            effect: "NoSchedule".into(),
        });
        spec.resources.accelerators = Some(Accelerators {
            resource,
            count: gpus,
        });
    }
    if let Some(identity_id) = &config.identity_id {
        let identity = workload_identity(clouds, cloud, identity_id).await?;
        check_identity_trusts(&identity, cluster, &spec)?;
        spec.binding = access.workload_binding(&identity);
    }
    spec.control_plane = access.control_plane_peers(cluster).await.map_err(|e| {
        Diagnostic::error(
            "Cannot find where the cluster's control plane calls from",
            format!("{e}; the NetworkPolicy must admit it for the smoke test."),
        )
    })?;
    Ok(spec)
}

async fn workload_identity(
    clouds: &Clouds,
    cloud: Cloud,
    identity_id: &str,
) -> Result<IdentityState, Diagnostic> {
    let backend = clouds.backend::<IdentitySpec, IdentityState>(cloud).await?;
    let identity = backend
        .read(identity_id)
        .await
        .map_err(|e| {
            Diagnostic::error("Cannot read the identity", e.to_string()).at(at("identity_id"))
        })?
        .ok_or_else(|| {
            invalid_at(
                at("identity_id"),
                format!("No {cloud} identity has the id {identity_id:?}."),
            )
        })?;
    if identity.purpose != Purpose::Workload {
        return Err(invalid_at(
            at("identity_id"),
            format!(
                "The identity {:?} has purpose = \"{}\"; the endpoint's pods need one with purpose = \"workload\".",
                identity.name,
                identity.purpose.as_str()
            ),
        ));
    }
    Ok(identity)
}

/// A workload identity trusts one service account of one cluster; the endpoint's pods
/// run as `spec.namespace/spec.name`, so anything else would fail at the pods' first
/// call to the cloud, long after apply said all was well.
fn check_identity_trusts(
    identity: &IdentityState,
    cluster: &ClusterState,
    spec: &EndpointSpec,
) -> Result<(), Diagnostic> {
    let Some(trusted) = &identity.workload else {
        return Ok(());
    };
    let same_cluster = trusted.cluster_id.eq_ignore_ascii_case(&cluster.id);
    if same_cluster && trusted.namespace == spec.namespace && trusted.service_account == spec.name {
        return Ok(());
    }
    Err(invalid_at(
        at("identity_id"),
        format!(
            "The identity {:?} trusts the service account {}/{} of cluster {:?}, but this endpoint's pods run as {}/{} in cluster {:?}. Set the identity's workload {{ cluster_id, namespace = \"{}\", service_account = \"{}\" }}.",
            identity.name,
            trusted.namespace,
            trusted.service_account,
            trusted.cluster_id,
            spec.namespace,
            spec.name,
            cluster.id,
            spec.namespace,
            spec.name
        ),
    ))
}

/// How each step of an apply went, for the resulting state and diagnostics.
struct Applied {
    state: Value,
    diagnostics: Diagnostics,
}

/// Apply, wait, smoke test: shared by create and update. Whatever exists in the
/// cluster is in the returned state, even when a later step fails.
async fn put_in_place(
    ctx: &Context,
    planned: &Value,
    default_timeout: Duration,
    operation: &str,
    record: &(dyn Fn(Value) + Send + Sync),
) -> Result<Applied, Diagnostic> {
    let started = Instant::now();
    let clouds = clouds(ctx)?;
    let cloud = required_cloud(planned)?;
    let timeout = timeouts::get(planned, operation, default_timeout)?;
    let config = EndpointConfig::decode(planned)?;
    let cluster_id = config.cluster_id.clone().unwrap_or_default();
    let (cluster, connection) = clouds.cluster_connection(cloud, &cluster_id).await?;
    let spec = resolve_spec(&clouds, cloud, &cluster, &config).await?;
    let client = crate::kube::client(&connection).map_err(|e| {
        Diagnostic::error("Cannot connect to the cluster", e.to_string()).at(at("cluster_id"))
    })?;
    let mut state = planned.clone();
    set(&mut state, "ready_replicas", Value::from(0i64));
    set(&mut state, "smoke_test_result", Value::Null);
    endpoint::apply(&client, &spec)
        .await
        .map_err(|e| rollout_diagnostic(&e, &config))?;
    record(state.clone());
    let mut diagnostics = Diagnostics::new();
    let left = timeout.saturating_sub(started.elapsed());
    let progress = |message: &str| tracing::info!(endpoint = %spec.name, "rollout: {message}");
    let ctx_wait = endpoint::wait_for_rollout(&client, &spec, left, &progress);
    let ready = tokio::select! {
        r = ctx_wait => r,
        _ = ctx.cancelled() => {
            diagnostics.push(Diagnostic::error("Stopped", "Terraform asked the provider to stop while the rollout was in progress; the objects are in state."));
            return Ok(Applied { state, diagnostics });
        }
    };
    match ready {
        Ok(ready) => set(&mut state, "ready_replicas", Value::from(i64::from(ready))),
        Err(e) => {
            diagnostics.push(rollout_diagnostic(&e, &config));
            return Ok(Applied { state, diagnostics });
        }
    }
    if config.smoke_test_enabled() {
        let target = SmokeTarget {
            namespace: spec.namespace.clone(),
            service: spec.name.clone(),
            port: spec.port,
            model: spec.model_name.clone(),
        };
        match smoke_test::run(&client, &target, config.smoke_test_timeout()).await {
            Ok(result) => set(&mut state, "smoke_test_result", smoke_result_value(&result)),
            Err(e) => diagnostics.push(
                Diagnostic::error(
                    "The smoke test failed",
                    format!("The model server rolled out, but its inference request failed: {e}. The objects are in state; fix the model or image and apply again."),
                )
                .at(at("smoke_test")),
            ),
        }
    }
    Ok(Applied { state, diagnostics })
}

fn finish(result: Result<Applied, Diagnostic>) -> ApplyResult {
    match result {
        Ok(Applied { state, diagnostics }) if diagnostics.has_errors() => {
            ApplyResult::partial(state, diagnostics)
        }
        Ok(Applied { state, .. }) => ApplyResult::ok(state),
        Err(d) => ApplyResult::failed(d),
    }
}

/// Whether two values of the resource differ in anything but what the provider
/// computes.
fn inputs_differ(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            for name in COMPUTED {
                m.remove(name);
            }
        }
        v
    };
    strip(a) != strip(b)
}

#[tfplug::async_trait]
impl Resource for ServingEndpoint {
    fn type_name(&self) -> String {
        "mlcloud_serving_endpoint".into()
    }

    fn schema(&self) -> Schema {
        let name = || validators::matches(NAME_PATTERN, NAME_RULE);
        let namespace = || validators::matches(NAMESPACE_PATTERN, NAMESPACE_RULE);
        Schema::new(
            Block::new()
                .describe(format!("A model server in a cluster, proved by a real inference at apply. Through the cluster's own API (the provider's cloud credentials make a short-lived token: no kubeconfig, exec plugin or cloud CLI), with server-side apply under the field manager `mlcloud`, it owns: the namespace (created only if absent, and then removed with the last endpoint in it), a ServiceAccount bound to `identity_id`, a Deployment (non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, seccomp `RuntimeDefault`, requests equal to limits, readiness on `/v2/health/ready`, liveness on `/v2/health/live`, a startup probe allowing 10 minutes of model loading), a ClusterIP Service, a PodDisruptionBudget, an HPA (autoscaling/v2) when `autoscaling` is set, and a NetworkPolicy that admits only the endpoint's namespace, `allowed_namespaces`, and the cluster's control plane (EKS: the cluster's subnets; GKE: `master_ipv4_cidr_block` and the konnectivity agents; AKS: the konnectivity agents): the API server's service proxy, which the smoke test uses, reaches pods from there. Apply waits for the rollout as `kubectl rollout status` does and stops at once on `ImagePullBackOff`, `ErrImagePull`, `CrashLoopBackOff`, an unschedulable pod or `ProgressDeadlineExceeded`, naming the pod's reason; then sends one Open Inference Protocol v2 request built from the model's metadata through the service proxy and records `smoke_test_result`. Whatever was created stays in state when a step fails. Drift (the Deployment deleted or scaled by hand, the image changed, an owned object removed) shows in the next plan. Import by `CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME`. Default image: the bundled smoke-test image of this provider version (`{}`).", crate::serving::bundled_smoke_image()))
                .attr(Attribute::string("id").computed().use_state_for_unknown().describe("`CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME`; import by it."))
                .attr(cloud_attribute().requires_replace().describe("The cluster's cloud: `aws`, `azure` or `gcp`. Changing it replaces the endpoint."))
                .attr(Attribute::string("cluster_id").required().requires_replace().describe("The `id` of the `mlcloud_cluster` (or of the `mlcloud_cluster` data source). Changing it replaces the endpoint."))
                .attr(Attribute::string("name").required().requires_replace().validate(name()).describe(format!("Name of the Deployment, Service, ServiceAccount and the other objects: {NAME_RULE}. Changing it replaces the endpoint.")))
                .attr(Attribute::string("namespace").default(DEFAULT_NAMESPACE).requires_replace().validate(namespace()).describe(format!("The namespace, created when absent: {NAMESPACE_RULE}. Default `{DEFAULT_NAMESPACE}`. Changing it replaces the endpoint.")))
                .attr(Attribute::string("image").optional().computed().describe(format!("The model server's image. Default: the bundled smoke-test image of this provider version, `{}`: a released provider pins it by the manifest digest of the image built with it (`{}:VERSION@sha256:...`, so a re-pushed tag cannot change what runs); a development build names the tag only. Changing it rolls the pods (one at a time on accelerators, where no spare GPU is assumed).", crate::serving::bundled_smoke_image(), crate::serving::SMOKE_IMAGE_REPOSITORY)))
                .attr(Attribute::number("replicas").optional().computed().validate(validators::int_between(0, 1000)).describe("How many pods serve; changed in place. Default 1. Leave it out with `autoscaling`, where the HPA owns the count."))
                .attr(Attribute::string("node_pool_id").optional().describe("The `id` of an `mlcloud_node_pool` of the same cluster: the pods get the pool's node selector (its pool label) and tolerate its taints."))
                .attr(Attribute::string("identity_id").optional().describe("The `id` of an `mlcloud_identity` with `purpose = \"workload\"` whose `workload {}` names this endpoint's namespace and name as its service account: the ServiceAccount is bound to it (aws: IRSA's `eks.amazonaws.com/role-arn`; azure: workload identity's `azure.workload.identity/client-id` and `use` label; gcp: `iam.gke.io/gcp-service-account`). Checked at apply: another service account is an error on this attribute."))
                .attr(Attribute::number("port").default(i64::from(DEFAULT_PORT)).validate(validators::int_between(1, 65535)).describe("The port the model server listens on (its `PORT`); the Service exposes the same. Default 8080."))
                .attr(Attribute::set("allowed_namespaces", Type::String).optional().validate(validators::each(namespace())).describe("Namespaces whose pods may call the model, besides the endpoint's own. Everything else is refused by the NetworkPolicy, except the cluster's control plane (the API server's service proxy)."))
                .attr(Attribute::string("internal_url").computed().use_state_for_unknown().describe("The URL callers in the cluster use: `http://NAME.NAMESPACE.svc.cluster.local:PORT`."))
                .attr(Attribute::number("ready_replicas").computed().describe("Ready pods, as last read."))
                .attr(Attribute::typed("smoke_test_result", smoke_result_type()).computed().describe("The last smoke test: `passed`, `latency_ms` (the inference request through the API server), `device` (the GPU the server's check passed on, `cpu`, or `unknown` for a server that does not say), `model`, `answer` (the model's outputs) and `checked_at` (RFC 3339). Null when the smoke test is off or did not pass."))
                .block(NestedBlock::single("model", Block::new()
                    .describe("The model the server serves.")
                    .attr(Attribute::string("name").default(DEFAULT_MODEL).validate(validators::matches("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", "letters, digits, '_', '.', '-', starting with a letter or digit")).describe(format!("The name in `/v2/models/{{name}}` (the server's `MODEL_NAME`). Default `{DEFAULT_MODEL}`, the bundled image's model.")))
                    .attr(Attribute::string("uri").optional().describe("Where the server loads the model from (its `MODEL_URI`), e.g. `s3://bucket/models/iris`; grant the identity `model_store_read` on it. Unset: the image's own model."))))
                .block(NestedBlock::single("autoscaling", Block::new()
                    .describe("An HPA (autoscaling/v2) on CPU utilisation owns the replica count.")
                    .attr(Attribute::number("min").required().validate(validators::int_between(1, 1000)).describe("Fewest pods."))
                    .attr(Attribute::number("max").required().validate(validators::int_between(1, 1000)).describe("Most pods; at least `min`."))
                    .attr(Attribute::number("target_cpu_percent").default(i64::from(DEFAULT_TARGET_CPU)).validate(validators::int_between(1, 100)).describe("Average CPU utilisation the HPA aims for. Default 70."))))
                .block(NestedBlock::single("resources", Block::new()
                    .describe("What each pod requests; limits are the same, so pods are Guaranteed.")
                    .attr(Attribute::string("cpu").default(DEFAULT_CPU).describe(format!("CPU, a Kubernetes quantity. Default `{DEFAULT_CPU}`.")))
                    .attr(Attribute::string("memory").default(DEFAULT_MEMORY).describe(format!("Memory, a Kubernetes quantity. Default `{DEFAULT_MEMORY}`.")))
                    .attr(Attribute::number("gpu").default(0i64).validate(validators::int_between(0, 16)).describe("Accelerators per pod: `nvidia.com/gpu`, or `google.com/tpu` on a TPU pool. Default 0."))))
                .block(NestedBlock::single("smoke_test", Block::new()
                    .describe("The inference request at apply.")
                    .attr(Attribute::bool("enabled").default(true).describe("Whether apply ends with an inference request. Default true; turning it off loses the proof that the model answers."))
                    .attr(Attribute::string("timeout").default("5m").describe("How long the smoke test waits for the service to have a ready endpoint. Default `5m`."))))
                .block(timeouts::block(&["create", "update", "delete"])),
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new()
                .attr(
                    IdentityAttribute::string("id")
                        .required_for_import()
                        .describe("`CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME`."),
                )
                .attr(
                    IdentityAttribute::string("cloud")
                        .optional_for_import()
                        .describe(
                            "`aws`, `azure` or `gcp`; follows from the cluster id when left out.",
                        ),
                ),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check(config, &mut diags);
        let Some(cloud) = super::common::cloud_of(config) else {
            return diags;
        };
        let rules = match self.rules.require(cloud) {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                return diags;
            }
        };
        for (name, kind) in [
            ("cluster_id", ObjectKind::Cluster),
            ("node_pool_id", ObjectKind::NodePool),
            ("identity_id", ObjectKind::Identity),
        ] {
            if let Some(id) = str_attr(config, name)
                && !rules.is_object_id(kind, id)
            {
                diags.push(invalid_at(
                    at(name),
                    format!(
                        "{id:?} is not the id of a {cloud} {}; expected {} (the `id` of an {}).",
                        kind.noun(),
                        rules.id_form(kind),
                        kind.type_name()
                    ),
                ));
            }
        }
        diags
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut ResourcePlan) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if plan.planned.is_null() {
            return diags;
        }
        if let Some(cloud) = super::common::cloud_of(&plan.planned)
            && let Ok(clouds) = clouds(ctx)
            && let Err(d) = clouds.check_cloud(cloud)
        {
            diags.push(d);
        }
        let planned = &mut plan.planned;
        if planned.attr("image").is_some_and(Value::is_unknown) {
            set(
                planned,
                "image",
                crate::serving::bundled_smoke_image().into(),
            );
        }
        let autoscaled = planned.attr("autoscaling").is_some_and(|v| !v.is_null());
        if autoscaled {
            set(planned, "replicas", Value::Null);
        } else if planned.attr("replicas").is_none_or(Value::is_unknown) {
            set(planned, "replicas", Value::from(1i64));
        }
        let known = |name: &str| str_attr(planned, name).map(str::to_owned);
        if let (Some(cluster), Some(ns), Some(name)) =
            (known("cluster_id"), known("namespace"), known("name"))
        {
            set(planned, "id", endpoint_id(&cluster, &ns, &name).into());
            let port = planned.attr("port").and_then(Value::as_i64).unwrap_or(8080);
            set(
                planned,
                "internal_url",
                internal_url(&name, &ns, port).into(),
            );
        }
        // A new rollout gets a new smoke test; an unchanged endpoint keeps its result.
        if let Some(prior) = &plan.prior {
            let changed = inputs_differ(prior, planned);
            for name in ["ready_replicas", "smoke_test_result"] {
                let value = match changed {
                    true => Value::Unknown,
                    false => prior.attr(name).cloned().unwrap_or(Value::Null),
                };
                set(planned, name, value);
            }
        }
        diags
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult {
        let recorder = req.recorder();
        let record = move |state: Value| recorder.record(state);
        finish(put_in_place(ctx, &req.planned, CREATE_TIMEOUT, "create", &record).await)
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult {
        let recorder = req.recorder();
        let record = move |state: Value| recorder.record(state);
        finish(put_in_place(ctx, &req.planned, UPDATE_TIMEOUT, "update", &record).await)
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult {
        let run = async {
            let clouds = clouds(ctx)?;
            let cloud = required_cloud(&req.state)?;
            let config = EndpointConfig::decode(&req.state)?;
            let cluster_id = config.cluster_id.clone().unwrap_or_default();
            let Some(cluster) = clouds.find_cluster(cloud, &cluster_id).await? else {
                return Ok(ReadResult::gone());
            };
            let connection = clouds.connect_to(cloud, &cluster).await?;
            let client = crate::kube::client(&connection)
                .map_err(|e| Diagnostic::error("Cannot connect to the cluster", e.to_string()))?;
            let observed = endpoint::observe(&client, &config.neutral_spec())
                .await
                .map_err(|e| {
                    Diagnostic::error("Cannot read the serving endpoint", e.to_string())
                })?;
            let Some(observed) = observed else {
                return Ok(ReadResult::gone());
            };
            Ok::<_, Diagnostic>(ReadResult::found(refreshed(
                req.state,
                &observed.deployment,
                observed.autoscaler.as_ref(),
            )))
        };
        run.await.unwrap_or_else(ReadResult::error)
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> Diagnostics {
        let run = async {
            let clouds = clouds(ctx)?;
            let cloud = required_cloud(&req.prior)?;
            let timeout = timeouts::get(&req.prior, "delete", DELETE_TIMEOUT)?;
            let config = EndpointConfig::decode(&req.prior)?;
            let cluster_id = config.cluster_id.clone().unwrap_or_default();
            // What lived in a deleted cluster is gone with it.
            let Some(cluster) = clouds.find_cluster(cloud, &cluster_id).await? else {
                return Ok(());
            };
            let connection = clouds.connect_to(cloud, &cluster).await?;
            let client = crate::kube::client(&connection)
                .map_err(|e| Diagnostic::error("Cannot connect to the cluster", e.to_string()))?;
            endpoint::remove(&client, &config.neutral_spec(), timeout)
                .await
                .map_err(|e| Diagnostic::error("Cannot delete the serving endpoint", e.to_string()))
        };
        match run.await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d.into(),
        }
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        let from_identity = |name: &str| {
            req.identity
                .as_ref()
                .and_then(|i| i.attr(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let Some(id) = req.id.clone().or_else(|| from_identity("id")) else {
            return ImportResult::failed(Diagnostic::error(
                "Nothing to import",
                "Import mlcloud_serving_endpoint by CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME.",
            ));
        };
        let Some((cluster_id, namespace, name)) = parse_endpoint_id(&id) else {
            return ImportResult::failed(Diagnostic::error(
                "Not a serving endpoint id",
                format!(
                    "{id:?} is not CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME, e.g. projects/p/locations/us-central1/clusters/ml/namespaces/ml-serving/endpoints/iris."
                ),
            ));
        };
        let Some(rules) = self
            .rules
            .all()
            .find(|r| r.is_object_id(ObjectKind::Cluster, cluster_id))
        else {
            return ImportResult::failed(Diagnostic::error(
                "Not a cluster id",
                format!("{cluster_id:?} is not the id of a cluster on any cloud."),
            ));
        };
        ImportResult::state(Value::object([
            ("id", Value::from(id.as_str())),
            ("cloud", Value::from(rules.cloud().as_str())),
            ("cluster_id", Value::from(cluster_id)),
            ("namespace", Value::from(namespace)),
            ("name", Value::from(name)),
        ]))
    }
}

/// The URL callers in the cluster use to reach the endpoint's Service.
fn internal_url(name: &str, namespace: &str, port: i64) -> String {
    format!("http://{name}.{namespace}.svc.cluster.local:{port}")
}

/// The prior state with what the cluster says now: the image and replica count (drift
/// a plan shows), ready pods; and on import, what only the Deployment and its HPA
/// (`autoscaler`) can tell.
fn refreshed(
    mut state: Value,
    deployment: &serde_json::Value,
    autoscaler: Option<&serde_json::Value>,
) -> Value {
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    if let Some(image) = container["image"].as_str() {
        set(&mut state, "image", image.into());
    }
    let imported = state.attr("port").is_none_or(Value::is_null);
    if imported && let Some(hpa) = autoscaler {
        set(&mut state, "autoscaling", autoscaling_of(hpa));
    }
    let autoscaled = state.attr("autoscaling").is_some_and(|v| !v.is_null());
    if !autoscaled && let Some(replicas) = deployment["spec"]["replicas"].as_i64() {
        set(&mut state, "replicas", replicas.into());
    }
    let ready = deployment["status"]["readyReplicas"].as_i64().unwrap_or(0);
    set(&mut state, "ready_replicas", ready.into());
    if imported {
        imported_inputs(
            &mut state,
            container,
            &deployment["metadata"]["annotations"],
        );
    }
    state
}

/// The `autoscaling` block an HPA written by mlcloud stands for.
fn autoscaling_of(hpa: &serde_json::Value) -> Value {
    let spec = &hpa["spec"];
    let target = spec["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["resource"]["name"] == "cpu")
        .and_then(|m| m["resource"]["target"]["averageUtilization"].as_i64())
        .unwrap_or(i64::from(DEFAULT_TARGET_CPU));
    Value::object([
        // minReplicas defaults to 1 in autoscaling/v2.
        (
            "min",
            Value::from(spec["minReplicas"].as_i64().unwrap_or(1)),
        ),
        (
            "max",
            Value::from(spec["maxReplicas"].as_i64().unwrap_or(1)),
        ),
        ("target_cpu_percent", Value::from(target)),
    ])
}

/// An imported endpoint's inputs, read back from its container and the annotations
/// mlcloud wrote.
fn imported_inputs(
    state: &mut Value,
    container: &serde_json::Value,
    annotations: &serde_json::Value,
) {
    let env = |name: &str| {
        container["env"].as_array().and_then(|vars| {
            vars.iter()
                .find(|v| v["name"] == name)
                .and_then(|v| v["value"].as_str())
                .map(str::to_owned)
        })
    };
    let port = container["ports"][0]["containerPort"]
        .as_i64()
        .unwrap_or(i64::from(DEFAULT_PORT));
    set(state, "port", port.into());
    // Blocks left out of a configuration are null in state: an import writes one
    // only where the Deployment differs from the block's defaults.
    let model_name = env("MODEL_NAME").unwrap_or_else(|| DEFAULT_MODEL.into());
    let model_uri = env("MODEL_URI");
    if model_name != DEFAULT_MODEL || model_uri.is_some() {
        set(
            state,
            "model",
            Value::object([
                ("name", Value::from(model_name)),
                ("uri", model_uri.map_or(Value::Null, Value::from)),
            ]),
        );
    }
    let requests = &container["resources"]["requests"];
    let gpu = ["nvidia.com/gpu", "google.com/tpu"]
        .iter()
        .find_map(|r| requests[r].as_str().and_then(|n| n.parse::<i64>().ok()))
        .unwrap_or(0);
    let cpu = requests["cpu"].as_str().unwrap_or(DEFAULT_CPU);
    let memory = requests["memory"].as_str().unwrap_or(DEFAULT_MEMORY);
    if cpu != DEFAULT_CPU || memory != DEFAULT_MEMORY || gpu != 0 {
        set(
            state,
            "resources",
            Value::object([
                ("cpu", Value::from(cpu)),
                ("memory", Value::from(memory)),
                ("gpu", Value::from(gpu)),
            ]),
        );
    }
    for (name, key) in [
        ("node_pool_id", ANNOTATION_NODE_POOL),
        ("identity_id", ANNOTATION_IDENTITY),
    ] {
        if let Some(id) = annotations[key].as_str() {
            set(state, name, id.into());
        }
    }
    if let Some(list) = annotations[ANNOTATION_ALLOWED].as_str() {
        let namespaces = list.split(',').filter(|n| !n.is_empty()).map(Value::from);
        set(
            state,
            "allowed_namespaces",
            Value::Set(namespaces.collect()),
        );
    }
    if let (Some(ns), Some(name)) = (str_attr(state, "namespace"), str_attr(state, "name")) {
        let url = internal_url(name, ns, port);
        set(state, "internal_url", url.into());
    }
}

#[cfg(test)]
#[path = "serving_endpoint_tests.rs"]
mod tests;
