use serde_json::json;

use super::*;

#[test]
fn the_proxy_path_reaches_the_service_port() {
    assert_eq!(
        proxy_path("ml-serving", "iris", 8080, &infer_path("iris")),
        "/api/v1/namespaces/ml-serving/services/iris:8080/proxy/v2/models/iris/infer"
    );
}

#[test]
fn a_request_fills_each_input_with_one_row() {
    let metadata = json!({
        "name": "iris",
        "inputs": [{ "name": "input", "datatype": "FP32", "shape": [-1, 4] }],
        "outputs": [{ "name": "label", "datatype": "INT64", "shape": [-1] }],
    });
    assert_eq!(
        request_from_metadata(&metadata).unwrap(),
        json!({
            "id": "mlcloud-smoke-test",
            "inputs": [{ "name": "input", "datatype": "FP32", "shape": [1, 4], "data": [1.0, 1.0, 1.0, 1.0] }],
        })
    );
}

#[test]
fn every_input_and_datatype_is_filled() {
    let metadata = json!({ "inputs": [
        { "name": "ids", "datatype": "INT64", "shape": [-1, 2] },
        { "name": "text", "datatype": "BYTES", "shape": [1] },
        { "name": "mask", "datatype": "BOOL", "shape": [2] },
    ]});
    let request = request_from_metadata(&metadata).unwrap();
    assert_eq!(request["inputs"][0]["data"], json!([1, 1]));
    assert_eq!(request["inputs"][1]["data"], json!(["mlcloud"]));
    assert_eq!(request["inputs"][2]["data"], json!([true, true]));
}

#[test]
fn metadata_the_test_cannot_use_is_said_so() {
    assert_eq!(
        request_from_metadata(&json!({ "inputs": [] })),
        Err(InferenceError::NoInputs)
    );
    assert_eq!(
        request_from_metadata(
            &json!({ "inputs": [{ "name": "x", "datatype": "COMPLEX", "shape": [1] }] })
        ),
        Err(InferenceError::UnsupportedDatatype {
            input: "x".into(),
            datatype: "COMPLEX".into()
        })
    );
    assert!(matches!(
        request_from_metadata(
            &json!({ "inputs": [{ "name": "x", "datatype": "FP32", "shape": [-2] }] })
        ),
        Err(InferenceError::BadShape { .. })
    ));
}

#[test]
fn the_answer_names_each_output() {
    let response = json!({ "model_name": "iris", "outputs": [
        { "name": "label", "datatype": "INT64", "shape": [1], "data": [2] },
        { "name": "probabilities", "datatype": "FP32", "shape": [1, 3], "data": [0.1, 0.2, 0.7] },
    ]});
    assert_eq!(
        answer(&response).unwrap(),
        "label=[2] probabilities=[0.1,0.2,0.7]"
    );
    assert!(matches!(
        answer(&json!({ "error": "boom" })),
        Err(InferenceError::NoOutputs(_))
    ));
}

#[test]
fn the_device_comes_from_the_servers_accelerator_report() {
    let gpu = json!({ "accelerators": { "gpu_visible": true, "gpu_check": { "passed": true, "device": "cuda:0 (NVIDIA H100)" } } });
    assert_eq!(device(&gpu), "cuda:0 (NVIDIA H100)");
    let cpu = json!({ "accelerators": { "gpu_visible": false, "gpu_check": { "passed": false } } });
    assert_eq!(device(&cpu), "cpu");
    assert_eq!(device(&json!({ "name": "triton" })), "unknown");
}
