//! The one real request that proves an endpoint serves: an Open Inference Protocol v2
//! infer call whose input is built from the model's own metadata, so any model that
//! publishes its tensors can be checked, not only the bundled one.

use serde_json::{Value, json};
use thiserror::Error;

/// Why the smoke inference did not pass.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum InferenceError {
    #[error("the model's metadata lists no inputs, so no request can be built for it")]
    NoInputs,
    #[error(
        "input '{input}' has datatype '{datatype}', which the smoke test cannot fill in; it knows BOOL, BYTES, FP16/32/64, INT8-64 and UINT8-64"
    )]
    UnsupportedDatatype { input: String, datatype: String },
    #[error("input '{input}' has shape {shape}, which is not a list of sizes (with -1 for any)")]
    BadShape { input: String, shape: String },
    #[error("the model answered without outputs: {0}")]
    NoOutputs(String),
}

/// The API server's service-proxy path to `path` on a service's port: how the
/// provider reaches a ClusterIP service from outside the cluster.
pub fn proxy_path(namespace: &str, service: &str, port: u16, path: &str) -> String {
    format!(
        "/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{}",
        path.trim_start_matches('/')
    )
}

/// `v2/models/{model}/infer`, for [`proxy_path`].
pub fn infer_path(model: &str) -> String {
    format!("v2/models/{model}/infer")
}

/// `v2/models/{model}`, for [`proxy_path`].
pub fn metadata_path(model: &str) -> String {
    format!("v2/models/{model}")
}

fn sample(datatype: &str) -> Option<Value> {
    Some(match datatype {
        "BOOL" => json!(true),
        "BYTES" => json!("mlcloud"),
        "FP16" | "FP32" | "FP64" => json!(1.0),
        "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64" => {
            json!(1)
        }
        _ => return None,
    })
}

/// One request with every input the metadata names, each a single row (`-1`, "any
/// size", becomes 1) of a plain value of its datatype.
pub fn request_from_metadata(metadata: &Value) -> Result<Value, InferenceError> {
    let inputs = metadata["inputs"].as_array().filter(|i| !i.is_empty());
    let inputs = inputs.ok_or(InferenceError::NoInputs)?;
    let mut request = Vec::with_capacity(inputs.len());
    for input in inputs {
        let name = input["name"].as_str().unwrap_or_default().to_owned();
        let datatype = input["datatype"].as_str().unwrap_or_default().to_owned();
        let bad_shape = || InferenceError::BadShape {
            input: name.clone(),
            shape: input["shape"].to_string(),
        };
        let shape: Vec<u64> = input["shape"]
            .as_array()
            .ok_or_else(bad_shape)?
            .iter()
            .map(|size| match size.as_i64() {
                Some(-1) => Ok(1),
                Some(n) if n >= 0 => Ok(n as u64),
                _ => Err(bad_shape()),
            })
            .collect::<Result<_, _>>()?;
        let value = sample(&datatype).ok_or_else(|| InferenceError::UnsupportedDatatype {
            input: name.clone(),
            datatype: datatype.clone(),
        })?;
        let elements = shape.iter().product::<u64>() as usize;
        request.push(json!({
            "name": name,
            "datatype": datatype,
            "shape": shape,
            "data": vec![value; elements],
        }));
    }
    Ok(json!({ "id": "mlcloud-smoke-test", "inputs": request }))
}

/// The model's answer in a line a person can read (`label=[0] probabilities=[…]`), or
/// why it is not one.
pub fn answer(response: &Value) -> Result<String, InferenceError> {
    let outputs = response["outputs"]
        .as_array()
        .filter(|outputs| !outputs.is_empty())
        .ok_or_else(|| InferenceError::NoOutputs(response.to_string()))?;
    let parts: Vec<String> = outputs
        .iter()
        .map(|output| {
            format!(
                "{}={}",
                output["name"].as_str().unwrap_or("?"),
                output["data"]
            )
        })
        .collect();
    Ok(parts.join(" "))
}

/// Where the model ran, from the server's `GET /v2` metadata: the GPU its check passed
/// on, `cpu` when it sees none, `unknown` for a server that does not say (not every
/// Open Inference Protocol server reports its accelerators).
pub fn device(server_metadata: &Value) -> String {
    let accelerators = &server_metadata["accelerators"];
    let check = &accelerators["gpu_check"];
    if check["passed"] == json!(true)
        && let Some(device) = check["device"].as_str()
    {
        return device.to_owned();
    }
    if accelerators["gpu_visible"] == json!(false) {
        return "cpu".to_owned();
    }
    "unknown".to_owned()
}

#[cfg(test)]
#[path = "inference_tests.rs"]
mod tests;
