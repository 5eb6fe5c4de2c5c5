//! A request as the gcp routes see it: path, decoded query (empty legacy parameters
//! such as `projectId=&zone=` dropped), the `$alt` enum encoding, the JSON body; and
//! the answer rendered back in the encoding the client asked for.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;

use super::enums::{self, EnumFields};
use super::errors::{ApiError, ApiResult};

pub struct GcpRequest {
    pub method: Method,
    pub path: String,
    /// Decoded query parameters with a value.
    pub query: Vec<(String, String)>,
    /// `$alt=json;enum-encoding=int`: enums as numbers.
    pub int_enums: bool,
    pub body: Bytes,
    pub authorization: Option<String>,
}

impl GcpRequest {
    pub fn from_http(request: &Request<Bytes>) -> Self {
        let pairs = request.uri().query().map(form_pairs).unwrap_or_default();
        let int_enums = pairs
            .iter()
            .any(|(key, value)| key == "$alt" && value.contains("enum-encoding=int"));
        Self {
            method: request.method().clone(),
            path: percent_decode(request.uri().path()),
            query: pairs
                .into_iter()
                .filter(|(key, value)| !value.is_empty() && key != "$alt")
                .collect(),
            int_enums,
            body: request.body().clone(),
            authorization: request
                .headers()
                .get("authorization")
                .and_then(|value| value.to_str().ok())
                .map(str::to_string),
        }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The JSON body (an empty body is `{}`), enums turned into names.
    pub fn json(&self, fields: EnumFields) -> ApiResult<Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        let mut value: Value = serde_json::from_slice(&self.body).map_err(|error| {
            ApiError::invalid_argument(format!("Invalid JSON payload received. {error}"))
        })?;
        if !value.is_object() {
            return Err(ApiError::invalid_argument(
                "Invalid JSON payload received. Expected an object.",
            ));
        }
        enums::to_names(&mut value, fields);
        Ok(value)
    }

    /// The JSON body with the enums of the message in `field` turned into names
    /// (`{"cluster": {...}}`).
    pub fn json_within(&self, field: &str, fields: EnumFields) -> ApiResult<Value> {
        let mut value = self.json(&[])?;
        if let Some(inner) = value.get_mut(field) {
            enums::to_names(inner, fields);
        }
        Ok(value)
    }

    /// A 200 with `value`, enums as the client asked.
    pub fn render(&self, mut value: Value, fields: EnumFields) -> Response<Bytes> {
        if self.int_enums {
            enums::to_numbers(&mut value, fields);
        }
        json_ok(&value)
    }

    /// A 200 with a list response whose `field` holds messages with `fields`.
    pub fn render_list(
        &self,
        mut value: Value,
        field: &str,
        fields: EnumFields,
    ) -> Response<Bytes> {
        if self.int_enums
            && let Some(items) = value.get_mut(field)
        {
            enums::to_numbers(items, fields);
        }
        json_ok(&value)
    }
}

pub fn json_ok(value: &Value) -> Response<Bytes> {
    json_status(StatusCode::OK, value)
}

pub fn json_status(status: StatusCode, value: &Value) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=UTF-8")
        .body(Bytes::from(value.to_string()))
        .expect("a JSON response")
}

/// `a=1&b=%20x` (query strings and form bodies) into decoded pairs.
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&key.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|byte| (*byte as char).to_digit(16))
                .map(|digit| digit as u8)
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_alt_parameter_and_empty_legacy_parameters() {
        let request = Request::builder()
            .uri("/v1/projects/p/locations/l/clusters/c?%24alt=json%3Benum-encoding%3Dint&projectId=&zone=&clusterId=")
            .body(Bytes::new())
            .unwrap();
        let request = GcpRequest::from_http(&request);
        assert!(request.int_enums);
        assert!(request.query.is_empty(), "{:?}", request.query);
        assert_eq!(request.path, "/v1/projects/p/locations/l/clusters/c");
        assert_eq!(
            form_pairs("grant_type=urn%3Aietf%3Aparams&x=a+b"),
            [
                ("grant_type".into(), "urn:ietf:params".into()),
                ("x".into(), "a b".into())
            ]
        );
    }
}
