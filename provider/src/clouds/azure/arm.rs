//! A small typed ARM client on azure_core's pipeline: requests by resource id with an
//! api-version, ARM's error bodies decoded to [`CloudError`], and long-running
//! operations followed to the end (see [`lro`](super::lro)). azure_core has the
//! pipeline (bearer token, retries, `Retry-After` on 429/503) but no ARM poller, and
//! the `azure_mgmt_*` crates are frozen on preview api-versions, hence this file.

use super::errors::{self, Call, parse_retry_after};
use super::lro;
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline};
use crate::config::common::RetrySettings;
use azure_core::credentials::TokenCredential;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, ExponentialRetryOptions, HttpClient, Method, Pipeline,
    PipelineSendOptions, Request, RetryOptions, Transport, Url,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub const ASYNC_OPERATION: HeaderName = HeaderName::from_static("azure-asyncoperation");
pub const LOCATION: HeaderName = HeaderName::from_static("location");
pub const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");

/// One response, whatever its status.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub async_operation: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON (`null` when empty).
    pub fn json(&self) -> Result<Value, CloudError> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| CloudError::Transport(format!("Azure sent a body that is not JSON: {e}")))
    }

    fn error(&self, call: Call) -> CloudError {
        errors::decode(call, self.status, self.retry_after, &self.body)
    }
}

/// Talks to one ARM endpoint (and, with its own token scope, to Key Vault's data plane)
/// for one subscription.
pub struct ArmClient {
    arm: Pipeline,
    vault: Pipeline,
    base: Url,
    subscription: String,
    backoff: Backoff,
    /// The credential and ARM's token scope, for [`ArmClient::access_token`].
    credential: Option<Arc<dyn TokenCredential>>,
    arm_scope: String,
}

/// What builds an [`ArmClient`].
pub struct ArmSettings {
    pub resource_manager: Url,
    pub subscription: String,
    /// `None` only in unit tests against a plain-http stub (a bearer token is never
    /// sent over http).
    pub credential: Option<Arc<dyn TokenCredential>>,
    pub http: Arc<dyn HttpClient>,
    pub retry: RetrySettings,
    pub backoff: Backoff,
}

impl ArmClient {
    pub fn new(s: ArmSettings) -> Self {
        let arm_scope = format!(
            "{}/.default",
            audience(&s.resource_manager).trim_end_matches('/')
        );
        let pipeline = |scope: &str| {
            let auth: Vec<Arc<dyn Policy>> = s
                .credential
                .clone()
                .map(|c| {
                    Arc::new(BearerTokenAuthorizationPolicy::new(c, [scope.to_string()]))
                        as Arc<dyn Policy>
                })
                .into_iter()
                .collect();
            let options = ClientOptions {
                transport: Some(Transport::new(s.http.clone())),
                retry: RetryOptions::exponential(ExponentialRetryOptions {
                    max_retries: s.retry.max_attempts.saturating_sub(1),
                    max_delay: azure_core::time::Duration::seconds(i64::from(
                        s.retry.max_backoff_seconds,
                    )),
                    ..Default::default()
                }),
                ..Default::default()
            };
            Pipeline::new(
                Some("terraform-provider-mlcloud"),
                Some(env!("CARGO_PKG_VERSION")),
                options,
                Vec::new(),
                auth,
                None,
            )
        };
        ArmClient {
            arm: pipeline(&arm_scope),
            vault: pipeline(VAULT_SCOPE),
            base: s.resource_manager,
            subscription: s.subscription,
            backoff: s.backoff,
            credential: s.credential.clone(),
            arm_scope,
        }
    }

    /// An ARM access token (the credential caches it), for reading its claims; never
    /// logged. `None` without a credential (unit tests against a plain-http stub).
    pub async fn access_token(&self) -> Result<Option<String>, CloudError> {
        let Some(credential) = &self.credential else {
            return Ok(None);
        };
        let token = credential
            .get_token(&[self.arm_scope.as_str()], None)
            .await
            .map_err(|e| CloudError::Transport(transport_message(&e)))?;
        Ok(Some(token.token.secret().to_string()))
    }

    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    pub fn set_backoff(&mut self, backoff: Backoff) {
        self.backoff = backoff;
    }

    /// The URL of `path` (a resource id or any ARM path) with `api-version`.
    pub fn url(&self, path: &str, api_version: &str) -> Result<Url, CloudError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| CloudError::Invalid(format!("bad ARM path {path:?}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        Ok(url)
    }

    /// Sends one request through the ARM pipeline, returning any status.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Reply, CloudError> {
        self.send_on(&self.arm, method, url, body).await
    }

    /// Sends one request to Key Vault's data plane (its own token audience).
    pub async fn send_vault(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Reply, CloudError> {
        self.send_on(&self.vault, method, url, body).await
    }

    async fn send_on(
        &self,
        pipeline: &Pipeline,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Reply, CloudError> {
        let mut request = Request::new(url, method);
        request.insert_header("accept", "application/json");
        if let Some(body) = body {
            request.insert_header("content-type", "application/json");
            request.set_body(body.to_string());
        }
        let response = pipeline
            .send(
                &Context::new(),
                &mut request,
                Some(PipelineSendOptions {
                    skip_checks: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(|e| CloudError::Transport(transport_message(&e)))?;
        let headers = response.headers();
        Ok(Reply {
            status: u16::from(response.status()),
            async_operation: headers.get_optional_string(&ASYNC_OPERATION),
            location: headers.get_optional_string(&LOCATION),
            retry_after: parse_retry_after(headers.get_optional_str(&RETRY_AFTER)),
            body: response.into_body().to_vec(),
        })
    }

    /// GETs a resource; `Ok(None)` when it (or its parent) does not exist.
    pub async fn get<T: DeserializeOwned>(
        &self,
        id: &str,
        api_version: &str,
        service: &'static str,
    ) -> Result<Option<T>, CloudError> {
        let reply = self
            .send(Method::Get, self.url(id, api_version)?, None)
            .await?;
        let call = Call {
            service,
            operation: "GET",
        };
        match reply.error_or_json(call) {
            Ok(v) => decode_body(v).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUTs a resource and waits for its long-running operation; returns the resource
    /// as a GET reads it afterwards.
    pub async fn put(
        &self,
        id: &str,
        api_version: &str,
        service: &'static str,
        body: &Value,
        deadline: &Deadline,
    ) -> Result<Value, CloudError> {
        self.write(Method::Put, id, api_version, service, body, deadline)
            .await
    }

    /// PATCHes a resource (tags, scaling) and waits like [`put`](Self::put).
    pub async fn patch(
        &self,
        id: &str,
        api_version: &str,
        service: &'static str,
        body: &Value,
        deadline: &Deadline,
    ) -> Result<Value, CloudError> {
        self.write(Method::Patch, id, api_version, service, body, deadline)
            .await
    }

    async fn write(
        &self,
        method: Method,
        id: &str,
        api_version: &str,
        service: &'static str,
        body: &Value,
        deadline: &Deadline,
    ) -> Result<Value, CloudError> {
        let operation = if method == Method::Put {
            "PUT"
        } else {
            "PATCH"
        };
        let call = Call { service, operation };
        let reply = self
            .send(method, self.url(id, api_version)?, Some(body))
            .await?;
        let first = reply.error_or_json(call)?;
        lro::follow(self, call, id, &reply, deadline).await?;
        let read_back = if reply.async_operation.is_some() || reply.location.is_some() {
            self.get::<Value>(id, api_version, service)
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    what: id.to_string(),
                    message: "gone right after it was written".into(),
                })?
        } else {
            first
        };
        lro::until_provisioned(self, id, api_version, service, read_back, deadline).await
    }

    /// DELETEs a resource and waits until it is gone; one already gone is fine.
    pub async fn delete(
        &self,
        id: &str,
        api_version: &str,
        service: &'static str,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let call = Call {
            service,
            operation: "DELETE",
        };
        let reply = self
            .send(Method::Delete, self.url(id, api_version)?, None)
            .await?;
        match reply.error_or_json(call) {
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        lro::follow(self, call, id, &reply, deadline).await
    }

    /// POSTs an action (`listClusterUserCredential`), following a long-running answer;
    /// returns the final body.
    pub async fn post(
        &self,
        path: &str,
        api_version: &str,
        service: &'static str,
        body: Option<&Value>,
        deadline: &Deadline,
    ) -> Result<Value, CloudError> {
        let call = Call {
            service,
            operation: "POST",
        };
        let reply = self
            .send(Method::Post, self.url(path, api_version)?, body)
            .await?;
        let first = reply.error_or_json(call)?;
        match lro::follow_for_result(self, call, path, &reply, deadline).await? {
            Some(result) => Ok(result),
            None => Ok(first),
        }
    }

    /// Every item of a list, following `nextLink`.
    pub async fn list(
        &self,
        path: &str,
        api_version: &str,
        service: &'static str,
    ) -> Result<Vec<Value>, CloudError> {
        let call = Call {
            service,
            operation: "LIST",
        };
        let mut url = self.url(path, api_version)?;
        let mut items = Vec::new();
        loop {
            let page = self
                .send(Method::Get, url, None)
                .await?
                .error_or_json(call)?;
            if let Some(values) = page.get("value").and_then(Value::as_array) {
                items.extend(values.iter().cloned());
            }
            match page.get("nextLink").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    url = Url::parse(next).map_err(|e| {
                        CloudError::Transport(format!("bad nextLink {next:?}: {e}"))
                    })?;
                }
                _ => return Ok(items),
            }
        }
    }
}

impl Reply {
    /// The JSON body of a success, or ARM's error.
    pub fn error_or_json(&self, call: Call) -> Result<Value, CloudError> {
        if self.is_success() {
            self.json()
        } else {
            Err(self.error(call))
        }
    }
}

/// A JSON value as a typed body.
pub fn decode_body<T: DeserializeOwned>(v: Value) -> Result<T, CloudError> {
    serde_json::from_value(v)
        .map_err(|e| CloudError::Transport(format!("unexpected Azure response: {e}")))
}

/// The token audience of an ARM endpoint: public Azure's when the endpoint is
/// management.azure.com (or any override, e.g. an emulator or a proxy in front of it).
fn audience(endpoint: &Url) -> String {
    match endpoint.host_str() {
        Some("management.usgovcloudapi.net") => "https://management.usgovcloudapi.net".into(),
        Some("management.chinacloudapi.cn") => "https://management.chinacloudapi.cn".into(),
        _ => "https://management.azure.com".into(),
    }
}

/// Key Vault's data-plane token scope.
const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

/// An azure_core transport error with its causes (the credential's "invalid_client",
/// a certificate the transport does not trust), never a token.
fn transport_message(e: &azure_core::Error) -> String {
    let mut text = e.to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(cause) = cur {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cur = cause.source();
    }
    text
}
