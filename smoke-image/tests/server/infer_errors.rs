//! Malformed requests get a 4xx and a JSON `{"error": ...}` body, never a panic or an
//! empty page.

use serde_json::json;
use smoke_image::config::Config;
use smoke_image::routes;

use crate::support::{app, get, infer_body, post_json, send, state_with};

const INFER: &str = "/v2/models/iris/infer";

fn with_input(
    shape: serde_json::Value,
    datatype: &str,
    data: serde_json::Value,
) -> serde_json::Value {
    json!({"inputs": [{"name": "features", "shape": shape, "datatype": datatype, "data": data}]})
}

#[tokio::test]
async fn wrong_shape_is_400() {
    let (app, _) = app();
    let body = with_input(json!([1, 3]), "FP32", json!([1, 2, 3]));
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_message(),
        "input 'features' has shape [1, 3]; expected [N, 4] with N >= 1"
    );
}

#[tokio::test]
async fn shape_and_data_disagreeing_is_400() {
    let (app, _) = app();
    let body = with_input(json!([2, 4]), "FP32", json!([1, 2, 3, 4]));
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.error_message().contains("needs 8"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn wrong_datatype_is_400() {
    let (app, _) = app();
    let body = with_input(json!([1, 4]), "INT32", json!([1, 2, 3, 4]));
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_message(),
        "input 'features' has datatype 'INT32'; expected 'FP32'"
    );
}

#[tokio::test]
async fn non_numeric_data_is_400() {
    let (app, _) = app();
    let body = with_input(json!([1, 4]), "FP32", json!([1, 2, null, 4]));
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.error_message().contains("element 2 is null"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn wrong_input_name_and_unknown_output_are_400() {
    let (app, _) = app();
    let body = json!({"inputs": [{"name": "input0", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]});
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("unknown input 'input0'"));

    let mut body = infer_body(&[[1.0, 2.0, 3.0, 4.0]]);
    body["outputs"] = json!([{"name": "logits"}]);
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("unknown output 'logits'"));
}

#[tokio::test]
async fn unknown_model_and_version_are_404() {
    let (app, _) = app();
    let body = infer_body(&[[1.0, 2.0, 3.0, 4.0]]);
    let reply = post_json(&app, "/v2/models/resnet/infer", &body).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.error_message(),
        "model 'resnet' is not served here; this server serves 'iris'"
    );
    let reply = post_json(&app, "/v2/models/iris/versions/7/infer", &body).await;
    assert_eq!(reply.status, 404);
    assert!(reply.error_message().contains("no version '7'"));
    for path in [
        "/v2/models/resnet",
        "/v2/models/resnet/ready",
        "/v2/models/iris/versions/2",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, 404, "{path}");
        reply.error_message();
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    let state = state_with(Config {
        max_body_bytes: 2048,
        ..Config::default()
    });
    let app = routes::router(state);
    let rows = vec![[5.1, 3.5, 1.4, 0.2]; 200];
    let body = infer_body(&rows);
    assert!(body.to_string().len() > 2048);
    let reply = post_json(&app, INFER, &body).await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.error_message(),
        "request body is larger than the limit of 2048 bytes"
    );
    // A small request still works under the same limit.
    let reply = post_json(&app, INFER, &infer_body(&rows[..2])).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn invalid_json_is_400() {
    let (app, _) = app();
    for body in ["{\"inputs\": [", "not json at all", ""] {
        let reply = send(&app, "POST", INFER, body).await;
        assert_eq!(reply.status, 400, "{body:?}");
        assert!(
            reply
                .error_message()
                .starts_with("request body is not a valid inference request"),
            "{}",
            reply.text()
        );
    }
}

#[tokio::test]
async fn json_that_is_not_an_inference_request_is_400() {
    let (app, _) = app();
    for body in [
        json!({}),
        json!({"inputs": "features"}),
        json!([1, 2, 3, 4]),
    ] {
        let reply = post_json(&app, INFER, &body).await;
        assert_eq!(reply.status, 400, "{body}");
        reply.error_message();
    }
    let negative = with_input(json!([-1, 4]), "FP32", json!([1, 2, 3, 4]));
    assert_eq!(post_json(&app, INFER, &negative).await.status, 400);
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_json_errors() {
    let (app, _) = app();
    let reply = get(&app, "/v1/models/iris:predict").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.error_message(),
        "no route for GET /v1/models/iris:predict"
    );

    let reply = get(&app, INFER).await;
    assert_eq!(reply.status, 405);
    assert_eq!(
        reply.error_message(),
        "method GET is not allowed on /v2/models/iris/infer"
    );
}
