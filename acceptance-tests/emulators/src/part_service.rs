//! Serves one part: names the operation, applies the first fault rule that fires,
//! logs the outcome.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response, StatusCode};

use crate::admin::Shared;
use crate::faults::{FaultAction, RequestFacts};
use crate::part::{NativeFault, Part};
use crate::requests::RequestRecord;
use crate::server::{Dropped, Service};

pub struct PartService {
    pub part: Arc<dyn Part>,
    pub shared: Arc<Shared>,
}

impl PartService {
    async fn apply(
        &self,
        action: Option<FaultAction>,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, Dropped> {
        let Some(action) = action else {
            return Ok(self.part.handle(request).await);
        };
        match action {
            FaultAction::Throttle {
                retry_after_seconds,
            } => Ok(self.part.fault_response(
                NativeFault::Throttled {
                    retry_after: std::time::Duration::from_secs(retry_after_seconds),
                },
                &request,
            )),
            FaultAction::ServerError { status } => Ok(self.part.fault_response(
                NativeFault::ServerError {
                    status: StatusCode::from_u16(status)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                },
                &request,
            )),
            FaultAction::Respond {
                status,
                headers,
                body,
            } => {
                let mut response = Response::builder().status(status);
                for (name, value) in headers {
                    response = response.header(name, value);
                }
                Ok(response.body(Bytes::from(body)).unwrap_or_else(|_| {
                    Response::builder()
                        .status(StatusCode::INTERNAL_SERVER_ERROR)
                        .body(Bytes::from_static(b"bad scripted response"))
                        .expect("a static response")
                }))
            }
            FaultAction::DropResponse => {
                // The write happens; only its answer is lost.
                let _ = self.part.handle(request).await;
                Err(Dropped)
            }
            FaultAction::Delay { ms } => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                Ok(self.part.handle(request).await)
            }
            FaultAction::DelayResponse { ms } => {
                let response = self.part.handle(request).await;
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                Ok(response)
            }
        }
    }
}

#[async_trait]
impl Service for PartService {
    async fn call(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Dropped> {
        let operation = self.part.operation(&request);
        let method = request.method().to_string();
        let path = request.uri().path().to_string();
        let query = request.uri().query().map(str::to_string);
        let action = self.shared.faults.action_for(&RequestFacts {
            part: self.part.name(),
            operation: operation.as_deref(),
            method: &method,
            path: &path,
        });
        let fault = action
            .as_ref()
            .map(|action| serde_json::to_string(action).unwrap_or_default());
        let result = self.apply(action, request).await;
        self.shared.log.push(RequestRecord {
            seq: 0,
            part: self.part.name().to_string(),
            method,
            path,
            query,
            operation,
            status: result
                .as_ref()
                .ok()
                .map(|response| response.status().as_u16()),
            fault,
        });
        result
    }
}
