//! One authenticated request, with the parts handlers ask for.

use bytes::Bytes;
use http::{Method, Request};
use serde_json::Value;

use crate::azure::errors::ArmError;
use crate::azure::token::percent_decode;

pub struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    /// The caller's object id, from its token.
    pub caller: String,
}

impl Call {
    pub fn new(request: &Request<Bytes>, caller: String) -> Self {
        let query = request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (percent_decode(key), percent_decode(value)),
                None => (percent_decode(pair), String::new()),
            })
            .collect();
        Self {
            method: request.method().clone(),
            path: request.uri().path().to_string(),
            query,
            body: request.body().clone(),
            caller,
        }
    }

    pub fn segments(&self) -> Vec<String> {
        self.path
            .trim_matches('/')
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(percent_decode)
            .collect()
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_str())
    }

    pub fn api_version(&self) -> Option<&str> {
        self.query("api-version")
    }

    /// The JSON body, or ARM's answer to one it cannot read.
    pub fn json(&self) -> Result<Value, ArmError> {
        if self.body.is_empty() {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'The request body is empty.'.",
            ));
        }
        let value: Value = serde_json::from_slice(&self.body).map_err(|error| {
            ArmError::bad_request(
                "InvalidRequestContent",
                format!(
                    "The request content was invalid and could not be deserialized: '{error}'."
                ),
            )
        })?;
        if !value.is_object() {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'expected an object'.",
            ));
        }
        Ok(value)
    }
}
