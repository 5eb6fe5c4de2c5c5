//! The catalog data source, the machine_type function and the provider block, driven
//! through the plugin protocol in-process (tfplug's test kit).

use mlcloud_provider::provider::MlcloudProvider;
use tfplug::testkit::TestClient;
use tfplug::{AttributePath, Value};

async fn client() -> TestClient {
    let c = TestClient::new(MlcloudProvider::new());
    c.configure(Value::object([("default_tags", Value::Null)]))
        .await
        .expect("an empty provider block configures");
    c
}

fn entries(state: &Value) -> Vec<&Value> {
    state
        .attr("accelerators")
        .unwrap()
        .as_elements()
        .unwrap()
        .iter()
        .collect()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.attr(k).and_then(Value::as_str).unwrap()
}

#[tokio::test]
async fn h100_on_aws_is_one_p5_48xlarge_with_eight_80gb_gpus() {
    let c = client().await;
    let state = c
        .read_data(
            "mlcloud_accelerators",
            Value::object([("cloud", "aws".into()), ("type", "nvidia-h100-80gb".into())]),
        )
        .await
        .unwrap();
    let rows = entries(&state);
    let p5 = rows
        .iter()
        .find(|r| s(r, "machine_type") == "p5.48xlarge")
        .unwrap();
    assert_eq!(p5.attr("accelerators_per_node").unwrap().as_i64(), Some(8));
    assert_eq!(p5.attr("memory_gb").unwrap().as_i64(), Some(80));
    assert!(
        rows.iter()
            .all(|r| s(r, "cloud") == "aws" && s(r, "type") == "nvidia-h100-80gb")
    );
    assert_eq!(s(&state, "id"), "aws/nvidia-h100-80gb");
}

#[tokio::test]
async fn unfiltered_catalog_covers_all_clouds_and_tpus_only_on_gcp() {
    let c = client().await;
    let state = c
        .read_data(
            "mlcloud_accelerators",
            Value::object([("cloud", Value::Null)]),
        )
        .await
        .unwrap();
    let rows = entries(&state);
    for cloud in ["aws", "azure", "gcp"] {
        assert!(
            rows.iter().any(|r| s(r, "cloud") == cloud),
            "{cloud} missing"
        );
    }
    assert!(
        rows.iter()
            .filter(|r| s(r, "kind") == "tpu")
            .all(|r| s(r, "cloud") == "gcp")
    );
    let l4 = rows
        .iter()
        .find(|r| s(r, "cloud") == "gcp" && s(r, "type") == "nvidia-l4")
        .unwrap();
    assert_eq!(s(l4, "machine_type"), "g2-standard-4", "smallest first");
    assert_eq!(s(l4, "gke_accelerator"), "nvidia-l4");
}

#[tokio::test]
async fn bad_filters_are_diagnosed_on_their_attribute() {
    let c = client().await;
    let err = c
        .read_data(
            "mlcloud_accelerators",
            Value::object([("cloud", "ibm".into())]),
        )
        .await
        .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.attribute, Some(AttributePath::attr("cloud")));
    assert!(
        d.detail.contains(r#""aws", "azure", "gcp""#),
        "{}",
        d.detail
    );

    let err = c
        .read_data(
            "mlcloud_accelerators",
            Value::object([("cloud", "aws".into()), ("type", "tpu-v5e".into())]),
        )
        .await
        .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.attribute, Some(AttributePath::attr("type")));
    assert!(
        d.detail.contains("not offered on aws") && d.detail.contains("nvidia-h100-80gb"),
        "{}",
        d.detail
    );
}

#[tokio::test]
async fn machine_type_function_answers_from_the_catalog() {
    let c = client().await;
    let call =
        |cloud: &str, acc: &str, n: i64| vec![Value::from(cloud), Value::from(acc), Value::from(n)];
    assert_eq!(
        c.call_function("machine_type", call("aws", "nvidia-h100-80gb", 8))
            .await
            .unwrap(),
        Value::from("p5.48xlarge")
    );
    assert_eq!(
        c.call_function("machine_type", call("gcp", "nvidia-l4", 1))
            .await
            .unwrap(),
        Value::from("g2-standard-4")
    );
    let e = c
        .call_function("machine_type", call("aws", "tpu-v5e", 1))
        .await
        .unwrap_err();
    assert_eq!(e.argument, Some(1));
    assert!(
        e.text.contains("tpu-v5e") && e.text.contains("aws offers"),
        "{}",
        e.text
    );
    let e = c
        .call_function("machine_type", call("aws", "nvidia-h100-80gb", 3))
        .await
        .unwrap_err();
    assert_eq!(e.argument, Some(2));
    let e = c
        .call_function("machine_type", call("oracle", "nvidia-l4", 1))
        .await
        .unwrap_err();
    assert_eq!(e.argument, Some(0));
}

#[tokio::test]
async fn provider_block_is_validated_at_plan_time() {
    let c = TestClient::new(MlcloudProvider::new());
    let config = Value::object([
        (
            "aws",
            Value::object([
                ("region", "us-east-1".into()),
                ("access_key", "AKIA".into()),
                (
                    "endpoints",
                    Value::object([("kms", "localhost:4566".into())]),
                ),
            ]),
        ),
        (
            "azure",
            Value::object([
                ("subscription_id", "not-a-guid".into()),
                ("use_msi", true.into()),
                ("use_cli", true.into()),
            ]),
        ),
    ]);
    let d = c.configure(config).await.unwrap_err();
    let paths: Vec<String> = d
        .iter()
        .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
        .collect();
    for expected in [
        "aws.endpoints.kms",
        "azure.subscription_id",
        "aws.secret_key",
        "azure.use_cli",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "no diagnostic at {expected}: {paths:?}"
        );
    }
}

#[tokio::test]
async fn a_client_secret_needs_its_client_and_tenant() {
    let c = TestClient::new(MlcloudProvider::new());
    let azure = Value::object([("client_secret", "s3cret".into())]);
    let d = c
        .configure(Value::object([("azure", azure)]))
        .await
        .unwrap_err();
    let paths: Vec<String> = d
        .iter()
        .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
        .collect();
    for field in ["client_id", "tenant_id"] {
        if std::env::var(format!("ARM_{}", field.to_uppercase())).is_err() {
            assert!(paths.contains(&format!("azure.{field}")), "{paths:?}");
        }
    }
}
