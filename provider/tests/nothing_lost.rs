//! What a backend reports as made reaches Terraform's state even when the provider then
//! panics: through the protocol in-process, with a backend of the test's own that
//! records a key and then panics (as a bug during a long wait would).

use mlcloud_provider::Cloud;
use mlcloud_provider::clouds::model::{KeySpec, KeyState, Op};
use mlcloud_provider::clouds::{
    Backends, CloudError, CloudPlugin, ObjectBackend, Outcome, RuleBook, aws,
};
use mlcloud_provider::provider::MlcloudProvider;
use std::sync::Arc;
use tfplug::Value;
use tfplug::testkit::TestClient;

const MADE: &str = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-made-before-panic";

/// Makes a key, records it, then panics before the create returns.
struct PanicsAfterMaking;

#[async_trait::async_trait]
impl ObjectBackend<KeySpec, KeyState> for PanicsAfterMaking {
    async fn create(&self, spec: &KeySpec, op: &Op) -> Outcome<KeyState> {
        op.record(&KeyState {
            id: MADE.into(),
            key_ref: MADE.into(),
            name: spec.name.clone(),
            location: spec.location.clone(),
            description: spec.description.clone(),
            rotation_period_days: None,
            policy_drift: Default::default(),
            tags: spec.tags.clone(),
            cloud: spec.cloud.clone(),
        });
        panic!("a bug after the key was made");
    }
    async fn read(&self, _id: &str) -> Result<Option<KeyState>, CloudError> {
        Ok(None)
    }
    async fn update(&self, _: &str, _: &KeyState, _: &KeySpec, _: &Op) -> Outcome<KeyState> {
        unreachable!("not updated in this test")
    }
    async fn delete(&self, _: &str, _: &KeySpec, _: &Op) -> Result<(), CloudError> {
        Ok(())
    }
}

fn provider() -> MlcloudProvider {
    let plugin = CloudPlugin {
        cloud: Cloud::Aws,
        connect: Arc::new(|_config| {
            Box::pin(async {
                Ok(Backends::new().with::<KeySpec, KeyState>(Arc::new(PanicsAfterMaking)))
            })
        }),
    };
    MlcloudProvider::with_clouds(RuleBook::new(vec![aws::rules()]), vec![plugin])
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
}

#[tokio::test]
async fn a_key_recorded_before_a_panic_is_in_state() {
    let client = TestClient::new(provider());
    let aws = obj(&[("region", "us-east-1".into())]);
    client.configure(obj(&[("aws", aws)])).await.unwrap();
    let applied = client
        .change_instance(
            "mlcloud_kms_key",
            None,
            obj(&[("cloud", "aws".into()), ("name", "etcd".into())]),
        )
        .await
        .expect("plans");
    assert!(
        applied
            .diagnostics
            .to_string()
            .contains("a bug after the key was made"),
        "the panic is reported: {}",
        applied.diagnostics
    );
    // The key made before the panic is kept.
    let state = applied.instance.state;
    assert_eq!(state.attr("id"), Some(&Value::from(MADE)));
    assert_eq!(state.attr("name"), Some(&Value::from("etcd")));
    assert_eq!(state.attr("cloud"), Some(&Value::from("aws")));
}
