//! `/metrics` counts what was actually served.

use axum::body::Body;
use serde_json::json;

use crate::support::{app, get, infer_body, post_json, send};

#[tokio::test]
async fn metrics_count_requests_rows_and_predicted_classes() {
    let (app, _) = app();
    let two_rows = infer_body(&[[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]);
    for _ in 0..3 {
        assert_eq!(
            post_json(&app, "/v2/models/iris/infer", &two_rows)
                .await
                .status,
            200
        );
    }
    let wrong_shape = json!({"inputs": [{"name": "features", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]});
    assert_eq!(
        post_json(&app, "/v2/models/iris/infer", &wrong_shape)
            .await
            .status,
        400
    );
    assert_eq!(get(&app, "/nowhere").await.status, 404);
    assert_eq!(send(&app, "DELETE", "/v2", Body::empty()).await.status, 405);
    assert_eq!(get(&app, "/v2/health/ready").await.status, 200);

    let text = get(&app, "/metrics").await.text();
    let expected_lines = [
        r#"mlcloud_smoke_http_requests_total{route="/v2/models/{name}/infer",method="POST",status="200"} 3"#,
        r#"mlcloud_smoke_http_requests_total{route="/v2/models/{name}/infer",method="POST",status="400"} 1"#,
        r#"mlcloud_smoke_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        r#"mlcloud_smoke_http_requests_total{route="/v2",method="DELETE",status="405"} 1"#,
        r#"mlcloud_smoke_http_requests_total{route="/v2/health/ready",method="GET",status="200"} 1"#,
        r#"mlcloud_smoke_http_request_duration_seconds_count{route="/v2/models/{name}/infer",method="POST"} 4"#,
        r#"mlcloud_smoke_http_request_duration_seconds_bucket{route="/v2/models/{name}/infer",method="POST",le="+Inf"} 4"#,
        // The scrape itself is the one request in flight while it renders.
        "mlcloud_smoke_http_requests_in_flight 1",
        r#"mlcloud_smoke_inference_rows_total{model="iris"} 6"#,
        r#"mlcloud_smoke_predictions_total{model="iris",class="setosa"} 3"#,
        r#"mlcloud_smoke_predictions_total{model="iris",class="versicolor"} 0"#,
        r#"mlcloud_smoke_predictions_total{model="iris",class="virginica"} 3"#,
    ];
    for line in expected_lines {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }

    // The scrape is counted once it has finished.
    let again = get(&app, "/metrics").await.text();
    assert!(again.contains(
        r#"mlcloud_smoke_http_requests_total{route="/metrics",method="GET",status="200"} 1"#
    ));
}
