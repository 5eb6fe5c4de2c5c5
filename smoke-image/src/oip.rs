//! Open Inference Protocol v2 (KServe v2 / Triton) REST shapes for this model, and the
//! validation that turns an inference request into rows the model can score.
//!
//! The model has one input tensor, `features` (`FP32`, shape `[N, 4]`), and three
//! outputs: `probabilities` (`FP32`, `[N, 3]`), `label` (`BYTES`, `[N]`) and
//! `class_index` (`INT64`, `[N]`). A request may ask for a subset of outputs.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::model::{CLASSES, FEATURES, IrisModel, Prediction};

/// Name of the single input tensor.
pub const INPUT_NAME: &str = "features";
/// Output tensor names, in the order they are returned by default.
pub const OUTPUT_PROBABILITIES: &str = "probabilities";
pub const OUTPUT_LABEL: &str = "label";
pub const OUTPUT_CLASS_INDEX: &str = "class_index";
pub const OUTPUT_NAMES: [&str; 3] = [OUTPUT_PROBABILITIES, OUTPUT_LABEL, OUTPUT_CLASS_INDEX];
/// Largest batch accepted in one request; bigger batches should be split by the client.
pub const MAX_BATCH_ROWS: usize = 4096;

/// `POST /v2/models/{name}/infer` request body.
#[derive(Debug, Clone, Deserialize)]
pub struct InferRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub parameters: Option<Map<String, Value>>,
    pub inputs: Vec<RequestInput>,
    #[serde(default)]
    pub outputs: Option<Vec<RequestOutput>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestInput {
    pub name: String,
    pub shape: Vec<u64>,
    pub datatype: String,
    #[serde(default)]
    pub parameters: Option<Map<String, Value>>,
    /// Row-major tensor contents, flat or nested.
    pub data: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestOutput {
    pub name: String,
    #[serde(default)]
    pub parameters: Option<Map<String, Value>>,
}

/// `POST /v2/models/{name}/infer` response body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InferResponse {
    pub model_name: String,
    pub model_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub outputs: Vec<ResponseOutput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseOutput {
    pub name: String,
    pub shape: Vec<u64>,
    pub datatype: &'static str,
    pub data: TensorData,
}

/// Flat, row-major tensor contents. Typed rather than `serde_json::Value` so that FP32
/// values are written with FP32 precision (`0.99735916`, not `0.9973591566085815`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TensorData {
    Fp32(Vec<f32>),
    Bytes(Vec<String>),
    Int64(Vec<i64>),
}

/// A tensor as described in model metadata; `-1` marks the batch dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorMetadata {
    pub name: &'static str,
    pub datatype: &'static str,
    pub shape: Vec<i64>,
}

/// `GET /v2/models/{name}` response body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelMetadata {
    pub name: String,
    pub versions: Vec<String>,
    pub platform: &'static str,
    pub inputs: Vec<TensorMetadata>,
    pub outputs: Vec<TensorMetadata>,
}

/// Why an inference request cannot be scored: always the client's mistake (400).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TensorError {
    #[error("request has no inputs; expected one input named '{INPUT_NAME}'")]
    NoInputs,
    #[error("unknown input '{0}'; this model takes one input named '{INPUT_NAME}'")]
    UnknownInput(String),
    #[error("input '{INPUT_NAME}' is given more than once")]
    DuplicateInput,
    #[error("input '{INPUT_NAME}' has datatype '{0}'; expected 'FP32'")]
    WrongDatatype(String),
    #[error("input '{INPUT_NAME}' has shape {0:?}; expected [N, {FEATURES}] with N >= 1")]
    WrongShape(Vec<u64>),
    #[error("batch of {0} rows is larger than the limit of {MAX_BATCH_ROWS}")]
    BatchTooLarge(u64),
    #[error("input '{INPUT_NAME}' has {found} values; shape {shape:?} needs {expected}")]
    WrongElementCount {
        shape: Vec<u64>,
        expected: usize,
        found: usize,
    },
    #[error("input '{INPUT_NAME}' element {index} is {found}, not a finite FP32 number")]
    NotANumber { index: usize, found: String },
    #[error("unknown output '{0}'; this model produces {OUTPUT_NAMES:?}")]
    UnknownOutput(String),
}

/// A request that passed validation: the rows to score and the outputs to return.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedRequest {
    pub id: Option<String>,
    pub rows: Vec<[f32; FEATURES]>,
    pub outputs: Vec<&'static str>,
}

/// What this model accepts and returns, for `GET /v2/models/{name}`.
pub fn model_metadata(served_name: &str, model: &IrisModel) -> ModelMetadata {
    let batch = -1;
    ModelMetadata {
        name: served_name.to_owned(),
        versions: vec![model.version().to_owned()],
        platform: "mlcloud-smoke",
        inputs: vec![TensorMetadata {
            name: INPUT_NAME,
            datatype: "FP32",
            shape: vec![batch, FEATURES as i64],
        }],
        outputs: vec![
            TensorMetadata {
                name: OUTPUT_PROBABILITIES,
                datatype: "FP32",
                shape: vec![batch, CLASSES as i64],
            },
            TensorMetadata {
                name: OUTPUT_LABEL,
                datatype: "BYTES",
                shape: vec![batch],
            },
            TensorMetadata {
                name: OUTPUT_CLASS_INDEX,
                datatype: "INT64",
                shape: vec![batch],
            },
        ],
    }
}

/// Checks names, datatype, shape and values against the model's signature.
pub fn validate(request: InferRequest) -> Result<ValidatedRequest, TensorError> {
    let mut inputs = request.inputs.into_iter();
    let input = inputs.next().ok_or(TensorError::NoInputs)?;
    if input.name != INPUT_NAME {
        return Err(TensorError::UnknownInput(input.name));
    }
    if let Some(extra) = inputs.next() {
        return Err(if extra.name == INPUT_NAME {
            TensorError::DuplicateInput
        } else {
            TensorError::UnknownInput(extra.name)
        });
    }
    if input.datatype != "FP32" {
        return Err(TensorError::WrongDatatype(input.datatype));
    }
    let batch = match input.shape.as_slice() {
        [rows, features] if *rows >= 1 && *features == FEATURES as u64 => *rows,
        _ => return Err(TensorError::WrongShape(input.shape)),
    };
    if batch > MAX_BATCH_ROWS as u64 {
        return Err(TensorError::BatchTooLarge(batch));
    }
    let values = flatten_numbers(&input.data)?;
    let expected = batch as usize * FEATURES;
    if values.len() != expected {
        return Err(TensorError::WrongElementCount {
            shape: input.shape,
            expected,
            found: values.len(),
        });
    }
    let rows = values
        .chunks_exact(FEATURES)
        .map(|row| std::array::from_fn(|i| row[i]))
        .collect();

    let outputs = match request.outputs {
        None => OUTPUT_NAMES.to_vec(),
        Some(requested) if requested.is_empty() => OUTPUT_NAMES.to_vec(),
        Some(requested) => requested
            .into_iter()
            .map(|output| {
                OUTPUT_NAMES
                    .into_iter()
                    .find(|known| *known == output.name)
                    .ok_or(TensorError::UnknownOutput(output.name))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(ValidatedRequest {
        id: request.id,
        rows,
        outputs,
    })
}

/// Row-major values from flat (`[1, 2, 3, 4]`) or nested (`[[1, 2, 3, 4]]`) data, as the
/// protocol allows both. Each value must fit FP32 and be finite.
fn flatten_numbers(data: &Value) -> Result<Vec<f32>, TensorError> {
    fn walk(value: &Value, out: &mut Vec<f32>) -> Result<(), TensorError> {
        match value {
            Value::Array(items) => items.iter().try_for_each(|item| walk(item, out)),
            Value::Number(number) => {
                let as_f32 = number.as_f64().map(|v| v as f32);
                match as_f32 {
                    Some(v) if v.is_finite() => {
                        out.push(v);
                        Ok(())
                    }
                    _ => Err(TensorError::NotANumber {
                        index: out.len(),
                        found: number.to_string(),
                    }),
                }
            }
            other => Err(TensorError::NotANumber {
                index: out.len(),
                found: describe(other),
            }),
        }
    }
    let mut values = Vec::new();
    walk(data, &mut values)?;
    Ok(values)
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the string {text:?}"),
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Object(_) => "an object".to_owned(),
        Value::Array(_) | Value::Number(_) => value.to_string(),
    }
}

/// Builds the response tensors for `predictions`, in the order the client asked for.
pub fn render_outputs(
    model: &IrisModel,
    predictions: &[Prediction],
    outputs: &[&'static str],
) -> Vec<ResponseOutput> {
    let rows = predictions.len() as u64;
    outputs
        .iter()
        .map(|name| match *name {
            OUTPUT_PROBABILITIES => ResponseOutput {
                name: OUTPUT_PROBABILITIES.to_owned(),
                shape: vec![rows, CLASSES as u64],
                datatype: "FP32",
                data: TensorData::Fp32(predictions.iter().flat_map(|p| p.probabilities).collect()),
            },
            OUTPUT_LABEL => ResponseOutput {
                name: OUTPUT_LABEL.to_owned(),
                shape: vec![rows],
                datatype: "BYTES",
                data: TensorData::Bytes(
                    predictions
                        .iter()
                        .map(|p| model.classes()[p.class_index].clone())
                        .collect(),
                ),
            },
            _ => ResponseOutput {
                name: OUTPUT_CLASS_INDEX.to_owned(),
                shape: vec![rows],
                datatype: "INT64",
                data: TensorData::Int64(predictions.iter().map(|p| p.class_index as i64).collect()),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(body: Value) -> InferRequest {
        serde_json::from_value(body).expect("request shape")
    }

    fn one_input(shape: Value, datatype: &str, data: Value) -> InferRequest {
        request(json!({
            "inputs": [{"name": "features", "shape": shape, "datatype": datatype, "data": data}]
        }))
    }

    #[test]
    fn flat_and_nested_data_give_the_same_rows() {
        let flat = validate(one_input(
            json!([2, 4]),
            "FP32",
            json!([1, 2, 3, 4, 5, 6, 7, 8]),
        ));
        let nested = validate(one_input(
            json!([2, 4]),
            "FP32",
            json!([[1, 2, 3, 4], [5, 6, 7, 8]]),
        ));
        let flat = flat.unwrap();
        assert_eq!(flat.rows, vec![[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]);
        assert_eq!(flat, nested.unwrap());
        assert_eq!(flat.outputs, OUTPUT_NAMES.to_vec());
    }

    #[test]
    fn every_signature_violation_has_its_own_error() {
        let data = json!([1, 2, 3, 4]);
        let cases = [
            (request(json!({"inputs": []})), TensorError::NoInputs),
            (
                request(
                    json!({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": data}]}),
                ),
                TensorError::UnknownInput("x".into()),
            ),
            (
                request(json!({"inputs": [
                    {"name": "features", "shape": [1, 4], "datatype": "FP32", "data": data},
                    {"name": "features", "shape": [1, 4], "datatype": "FP32", "data": data}
                ]})),
                TensorError::DuplicateInput,
            ),
            (
                one_input(json!([1, 4]), "INT64", data.clone()),
                TensorError::WrongDatatype("INT64".into()),
            ),
            (
                one_input(json!([4]), "FP32", data.clone()),
                TensorError::WrongShape(vec![4]),
            ),
            (
                one_input(json!([1, 5]), "FP32", data.clone()),
                TensorError::WrongShape(vec![1, 5]),
            ),
            (
                one_input(json!([0, 4]), "FP32", json!([])),
                TensorError::WrongShape(vec![0, 4]),
            ),
            (
                one_input(json!([5000, 4]), "FP32", data.clone()),
                TensorError::BatchTooLarge(5000),
            ),
            (
                one_input(json!([2, 4]), "FP32", data.clone()),
                TensorError::WrongElementCount {
                    shape: vec![2, 4],
                    expected: 8,
                    found: 4,
                },
            ),
            (
                one_input(json!([1, 4]), "FP32", json!([1, "2", 3, 4])),
                TensorError::NotANumber {
                    index: 1,
                    found: "the string \"2\"".into(),
                },
            ),
            (
                one_input(json!([1, 4]), "FP32", json!([1, 2, 3, 1e300])),
                TensorError::NotANumber {
                    index: 3,
                    found: "1e+300".into(),
                },
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(validate(request), Err(expected));
        }
    }

    #[test]
    fn outputs_can_be_selected_and_must_exist() {
        let mut chosen = one_input(json!([1, 4]), "FP32", json!([1, 2, 3, 4]));
        chosen.outputs = Some(vec![RequestOutput {
            name: "label".into(),
            parameters: None,
        }]);
        assert_eq!(validate(chosen).unwrap().outputs, vec!["label"]);

        let mut unknown = one_input(json!([1, 4]), "FP32", json!([1, 2, 3, 4]));
        unknown.outputs = Some(vec![RequestOutput {
            name: "logits".into(),
            parameters: None,
        }]);
        assert_eq!(
            validate(unknown),
            Err(TensorError::UnknownOutput("logits".into()))
        );
    }

    #[test]
    fn fp32_outputs_are_written_with_fp32_precision() {
        let data = serde_json::to_string(&TensorData::Fp32(vec![0.997_359_16, 0.1])).unwrap();
        assert_eq!(data, "[0.99735916,0.1]");
    }

    #[test]
    fn outputs_have_protocol_shapes_and_datatypes() {
        let model = IrisModel::embedded().unwrap();
        let predictions = [
            model.predict([5.1, 3.5, 1.4, 0.2]),
            model.predict([6.3, 3.3, 6.0, 2.5]),
        ];
        let outputs = render_outputs(&model, &predictions, &OUTPUT_NAMES);
        assert_eq!(outputs[0].shape, vec![2, 3]);
        assert_eq!(outputs[0].datatype, "FP32");
        let TensorData::Fp32(probabilities) = &outputs[0].data else {
            panic!("probabilities are FP32");
        };
        assert_eq!(probabilities.len(), 6);
        assert_eq!(
            outputs[1].data,
            TensorData::Bytes(vec!["setosa".into(), "virginica".into()])
        );
        assert_eq!(outputs[1].datatype, "BYTES");
        assert_eq!(outputs[2].data, TensorData::Int64(vec![0, 2]));
        assert_eq!(outputs[2].datatype, "INT64");
    }
}
