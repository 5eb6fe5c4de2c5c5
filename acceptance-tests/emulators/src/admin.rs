//! The admin route, on its own port (`"admin"` in the ready line), so it never
//! collides with a cloud's paths:
//!
//! | route | does |
//! |---|---|
//! | `GET /health` | `ok` |
//! | `GET /faults` | the scripted faults, with how often each matched and fired |
//! | `POST /faults` | adds a fault (a [`FaultRule`] as JSON); answers its id |
//! | `DELETE /faults` | removes every fault |
//! | `GET /requests[?part=P]` | the requests the parts were sent, in order |
//! | `DELETE /requests` | forgets them |
//! | `GET /records` | what each part holds, by part name |
//! | `POST /reset` | empties every part, the faults and the request log |
//! | `GET /settings/{part}` | the part's test switches |
//! | `PUT /settings/{part}` | replaces them (JSON, as the part's README section says) |

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::faults::{FaultBook, FaultRule};
use crate::part::Part;
use crate::requests::RequestLog;
use crate::server::{Dropped, Service, json_response};

/// What the admin route and the part services share.
#[derive(Default)]
pub struct Shared {
    pub faults: FaultBook,
    pub log: RequestLog,
    pub parts: std::sync::RwLock<Vec<Arc<dyn Part>>>,
}

pub struct Admin {
    pub shared: Arc<Shared>,
}

fn query_value<'a>(query: Option<&'a str>, key: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value)
}

impl Admin {
    fn parts(&self) -> Vec<Arc<dyn Part>> {
        self.shared.parts.read().expect("parts").clone()
    }

    /// `GET` / `PUT /settings/{part}`: a part's test switches.
    fn settings(&self, method: &Method, name: &str, body: &Bytes) -> Response<Bytes> {
        let Some(part) = self.parts().into_iter().find(|part| part.name() == name) else {
            return json_response(
                StatusCode::NOT_FOUND,
                &json!({ "error": format!("no part {name} in this emulator") }),
            );
        };
        match *method {
            Method::GET => json_response(StatusCode::OK, &part.settings()),
            Method::PUT => {
                let settings = match serde_json::from_slice::<Value>(body) {
                    Ok(settings) => settings,
                    Err(error) => {
                        return json_response(
                            StatusCode::BAD_REQUEST,
                            &json!({ "error": format!("settings must be JSON: {error}") }),
                        );
                    }
                };
                match part.configure(settings) {
                    Ok(now) => json_response(StatusCode::OK, &now),
                    Err(error) => {
                        json_response(StatusCode::BAD_REQUEST, &json!({ "error": error }))
                    }
                }
            }
            _ => json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &json!({ "error": "settings are read with GET and replaced with PUT" }),
            ),
        }
    }

    fn answer(&self, request: &Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path();
        let query = request.uri().query();
        match (request.method().clone(), path) {
            (Method::GET, "/health") => json_response(StatusCode::OK, &json!("ok")),
            (Method::GET, "/faults") => {
                json_response(StatusCode::OK, &json!(self.shared.faults.list()))
            }
            (Method::POST, "/faults") => {
                match serde_json::from_slice::<FaultRule>(request.body()) {
                    Ok(rule) => {
                        let id = self.shared.faults.add(rule);
                        json_response(StatusCode::CREATED, &json!({ "id": id }))
                    }
                    Err(error) => json_response(
                        StatusCode::BAD_REQUEST,
                        &json!({ "error": format!("not a fault rule: {error} (see the emulator's README, \"Faults\")") }),
                    ),
                }
            }
            (Method::DELETE, "/faults") => {
                self.shared.faults.clear();
                json_response(StatusCode::OK, &json!([]))
            }
            (Method::GET, "/requests") => json_response(
                StatusCode::OK,
                &json!(self.shared.log.list(query_value(query, "part"))),
            ),
            (Method::DELETE, "/requests") => {
                self.shared.log.clear();
                json_response(StatusCode::OK, &json!([]))
            }
            (Method::GET, "/records") => {
                let records: serde_json::Map<String, Value> = self
                    .parts()
                    .iter()
                    .map(|part| (part.name().to_string(), part.records()))
                    .collect();
                json_response(StatusCode::OK, &Value::Object(records))
            }
            (Method::POST, "/reset") => {
                for part in self.parts() {
                    part.reset();
                }
                self.shared.faults.clear();
                self.shared.log.clear();
                json_response(StatusCode::OK, &json!("reset"))
            }
            (method, path) if path.starts_with("/settings/") => {
                self.settings(&method, &path["/settings/".len()..], request.body())
            }
            _ => json_response(
                StatusCode::NOT_FOUND,
                &json!({ "error": format!("no admin route {} {path}", request.method()) }),
            ),
        }
    }
}

#[async_trait]
impl Service for Admin {
    async fn call(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Dropped> {
        Ok(self.answer(&request))
    }
}
