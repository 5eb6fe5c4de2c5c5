//! Every route answers as the Open Inference Protocol v2 says.

use serde_json::json;
use smoke_image::config::Config;
use smoke_image::routes;

use crate::support::{app, get, infer_body, post_json, state_with};

#[tokio::test]
async fn liveness_and_readiness_are_200_with_empty_bodies() {
    let (app, _) = app();
    for path in ["/v2/health/live", "/v2/health/ready"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.body.is_empty(), "{path}: {:?}", reply.text());
    }
}

#[tokio::test]
async fn readiness_fails_with_a_4xx_once_draining_but_liveness_does_not() {
    let (app, state) = app();
    state.readiness.start_draining();
    assert_eq!(get(&app, "/v2/health/ready").await.status, 400);
    assert_eq!(get(&app, "/v2/health/live").await.status, 200);
    let model_ready = get(&app, "/v2/models/iris/ready").await.json();
    assert_eq!(model_ready, json!({"name": "iris", "ready": false}));
}

#[tokio::test]
async fn server_metadata_names_the_server_and_its_accelerators() {
    let (app, _) = app();
    let reply = get(&app, "/v2").await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["name"], "mlcloud-smoke");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["extensions"], json!(["mlcloud_smoke"]));
    assert_eq!(body["accelerators"]["gpu_visible"], false);
    assert_eq!(body["accelerators"]["summary"], "no NVIDIA GPU visible");
    assert_eq!(body["accelerators"]["devices"], json!([]));
}

#[tokio::test]
async fn model_metadata_describes_the_tensors() {
    let (app, _) = app();
    let expected = json!({
        "name": "iris",
        "versions": ["1"],
        "platform": "mlcloud-smoke",
        "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 4]}],
        "outputs": [
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]},
            {"name": "label", "datatype": "BYTES", "shape": [-1]},
            {"name": "class_index", "datatype": "INT64", "shape": [-1]}
        ]
    });
    for path in ["/v2/models/iris", "/v2/models/iris/versions/1"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.json(), expected, "{path}");
    }
}

#[tokio::test]
async fn model_readiness_is_reported_per_model_and_version() {
    let (app, _) = app();
    for path in ["/v2/models/iris/ready", "/v2/models/iris/versions/1/ready"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.json(), json!({"name": "iris", "ready": true}));
    }
}

#[tokio::test]
async fn inference_returns_every_output_and_echoes_the_id() {
    let (app, _) = app();
    let mut body = infer_body(&[[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]);
    body["id"] = json!("request-42");
    for path in ["/v2/models/iris/infer", "/v2/models/iris/versions/1/infer"] {
        let reply = post_json(&app, path, &body).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let response = reply.json();
        assert_eq!(response["model_name"], "iris");
        assert_eq!(response["model_version"], "1");
        assert_eq!(response["id"], "request-42");
        let outputs = response["outputs"].as_array().unwrap();
        let names: Vec<&str> = outputs
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["probabilities", "label", "class_index"]);
        assert_eq!(outputs[0]["shape"], json!([2, 3]));
        assert_eq!(outputs[0]["datatype"], "FP32");
        assert_eq!(outputs[1]["data"], json!(["setosa", "virginica"]));
        assert_eq!(outputs[1]["shape"], json!([2]));
        assert_eq!(outputs[2]["data"], json!([0, 2]));
    }
}

#[tokio::test]
async fn inference_returns_only_the_requested_outputs_in_request_order() {
    let (app, _) = app();
    let mut body = infer_body(&[[7.0, 3.2, 4.7, 1.4]]);
    body["outputs"] = json!([{"name": "class_index"}, {"name": "label"}]);
    let response = post_json(&app, "/v2/models/iris/infer", &body).await.json();
    assert_eq!(
        response["outputs"],
        json!([
            {"name": "class_index", "shape": [1], "datatype": "INT64", "data": [1]},
            {"name": "label", "shape": [1], "datatype": "BYTES", "data": ["versicolor"]}
        ])
    );
    assert!(response.get("id").is_none());
}

#[tokio::test]
async fn nested_row_data_is_accepted() {
    let (app, _) = app();
    let body = json!({"inputs": [{
        "name": "features", "shape": [1, 4], "datatype": "FP32",
        "data": [[5.1, 3.5, 1.4, 0.2]]
    }]});
    let response = post_json(&app, "/v2/models/iris/infer", &body).await.json();
    assert_eq!(response["outputs"][1]["data"], json!(["setosa"]));
}

#[tokio::test]
async fn smoke_check_passes_on_the_cpu_without_a_gpu() {
    let (app, _) = app();
    let reply = get(&app, "/v2/smoke").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["passed"], true);
    assert_eq!(body["device"], "cpu");
    assert!(body["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(body["model_check"]["passed"], true);
    assert_eq!(body["accelerators"]["gpu_visible"], false);
    assert!(
        body["summary"]
            .as_str()
            .unwrap()
            .contains("no NVIDIA GPU visible"),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let (app, _) = app();
    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.text();
    assert!(text.contains("# TYPE mlcloud_smoke_http_requests_total counter"));
    assert!(text.contains("# TYPE mlcloud_smoke_http_request_duration_seconds histogram"));
    assert!(text.contains("# TYPE mlcloud_smoke_http_requests_in_flight gauge"));
    assert!(text.contains(&format!(
        "mlcloud_smoke_build_info{{version=\"{}\",model=\"iris\"}} 1",
        env!("CARGO_PKG_VERSION")
    )));
}

#[tokio::test]
async fn model_name_comes_from_the_configuration() {
    let state = state_with(Config {
        model_name: "flowers".into(),
        ..Config::default()
    });
    let app = routes::router(state);
    assert_eq!(
        get(&app, "/v2/models/flowers").await.json()["name"],
        "flowers"
    );
    let body = infer_body(&[[5.1, 3.5, 1.4, 0.2]]);
    let reply = post_json(&app, "/v2/models/flowers/infer", &body).await;
    assert_eq!(reply.json()["model_name"], "flowers");
    assert_eq!(get(&app, "/v2/models/iris").await.status, 404);
}
