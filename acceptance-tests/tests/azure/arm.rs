//! ARM outside Terraform, for the stories: the harness's [`AzureArm`] signed in as the
//! emulator's client, each call checked (a failed call fails the test, saying which).
//! The stories make the resource group with it and change things out of band.

use acceptance_tests::MlcloudEmulator;
use acceptance_tests::azure_arm::{ArmAnswer, AzureArm};
use serde_json::Value;

/// api-version of the out-of-band AKS calls (GA, what the provider speaks too).
pub const CONTAINER_SERVICE: &str = "2025-10-01";

pub struct Arm(AzureArm);

impl Arm {
    #[track_caller]
    pub fn new(emulator: &MlcloudEmulator) -> Self {
        Self(AzureArm::for_emulator(emulator).expect("a token for the emulator's client"))
    }

    /// `/subscriptions/SUB/resourceGroups/GROUP`.
    pub fn group_id(&self, group: &str) -> String {
        self.0.group_id(group)
    }

    /// Creates the resource group in westeurope, as a user's tooling would (the
    /// provider does not own resource groups).
    #[track_caller]
    pub fn create_group(&self, group: &str) {
        self.0
            .create_group(group, "westeurope")
            .expect("the resource group is made");
    }

    /// One ARM request on resource `id`, whatever its status.
    #[track_caller]
    pub fn call(
        &self,
        method: &str,
        id: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> ArmAnswer {
        self.0
            .call(method, id, api_version, body)
            .expect("ARM answers")
    }

    /// GET of resource `id`, which must exist.
    #[track_caller]
    pub fn get(&self, id: &str, api_version: &str) -> Value {
        let answer = self.call("GET", id, api_version, None);
        assert_eq!(answer.status, 200, "GET {id}: {answer:?}");
        answer.body
    }

    /// Deletes resource `id` and waits until ARM no longer finds it (a long-running
    /// delete ends when its operation does).
    #[track_caller]
    pub fn delete(&self, id: &str, api_version: &str) {
        let answer = self.call("DELETE", id, api_version, None);
        assert!(
            [200, 202, 204].contains(&answer.status),
            "DELETE {id}: {answer:?}"
        );
        self.until(id, api_version, |status, _| status == 404);
    }

    /// Polls resource `id` until `done(status, body)`: ARM's long-running operations
    /// end on their own, the emulator's after `--operation-delay-ms`.
    #[track_caller]
    pub fn until(&self, id: &str, api_version: &str, done: impl Fn(u16, &Value) -> bool) -> Value {
        for _ in 0..600 {
            let answer = self.call("GET", id, api_version, None);
            if done(answer.status, &answer.body) {
                return answer.body;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{id} never reached the expected state");
    }
}
