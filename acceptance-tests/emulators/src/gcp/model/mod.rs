//! The state of the emulated project, apart from HTTP: one project, its service
//! accounts, IAM policies on any resource, Cloud KMS and GKE.

pub mod container;
pub mod iam;
pub mod instance_groups;
pub mod kms;
pub mod machines;
pub mod policy;
pub mod storage;
pub mod versions;

use serde_json::{Value, json};

/// The one project the emulator plays.
#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub number: String,
    pub create_time: String,
}

impl Project {
    /// The project's GKE service agent, which must be able to use a cluster's
    /// database-encryption key.
    pub fn gke_service_agent(&self) -> String {
        format!(
            "serviceAccount:service-{}@container-engine-robot.iam.gserviceaccount.com",
            self.number
        )
    }

    /// The project's Compute Engine service agent, which must be able to use a
    /// node pool's boot-disk key.
    pub fn compute_service_agent(&self) -> String {
        format!(
            "serviceAccount:service-{}@compute-system.iam.gserviceaccount.com",
            self.number
        )
    }

    /// resourcemanager v3 `Project`.
    pub fn render(&self) -> Value {
        json!({
            "name": format!("projects/{}", self.number),
            "parent": "organizations/100000000001",
            "projectId": self.id,
            "state": "ACTIVE",
            "displayName": self.id,
            "createTime": self.create_time,
            "updateTime": self.create_time,
            "etag": "W/\"1\"",
        })
    }

    /// Whether `name` (`projects/{id}` or `projects/{number}`) is this project.
    pub fn is(&self, segment: &str) -> bool {
        segment == self.id || segment == self.number
    }
}

pub struct Model {
    pub project: Project,
    /// The caller's own service account (the key file's), there from the start.
    pub caller_email: String,
    pub accounts: iam::ServiceAccounts,
    pub policies: policy::Policies,
    pub kms: kms::Kms,
    pub container: container::Container,
    pub buckets: storage::Buckets,
}

impl Model {
    pub fn new(project: Project, caller_email: String) -> Self {
        let mut model = Self {
            project,
            caller_email,
            accounts: Default::default(),
            policies: Default::default(),
            kms: Default::default(),
            container: Default::default(),
            buckets: Default::default(),
        };
        model.seed();
        model
    }

    /// The caller owns the project, as whoever made the key would.
    fn seed(&mut self) {
        let resource = format!("projects/{}", self.project.id);
        let owner = json!({"bindings": [{"role": "roles/owner", "members": [
            format!("serviceAccount:{}", self.caller_email)
        ]}]});
        self.policies
            .set(&resource, &owner, &|_| true)
            .expect("the seed policy is valid");
    }

    /// Whether a `serviceAccount:` member exists: accounts of this project must;
    /// Google's own agents and other projects' accounts are taken as they are.
    pub fn member_exists(&self, email: &str) -> bool {
        let own_domain = format!("@{}.iam.gserviceaccount.com", self.project.id);
        !email.ends_with(&own_domain) || email == self.caller_email || self.accounts.exists(email)
    }

    /// Everything that exists, for "destroy leaves nothing behind" checks. Key rings
    /// stay forever (Cloud KMS cannot delete them), and destroyed keys stay with
    /// their versions DESTROY_SCHEDULED; the project's policy starts with the
    /// caller's `roles/owner` binding.
    pub fn records(&self) -> Value {
        json!({
            "project": self.project.render(),
            "service_accounts": self.accounts.list(),
            "iam_policies": self.policies.records(),
            "key_rings": self.kms.key_rings(),
            "crypto_keys": self.kms.crypto_keys(),
            "buckets": self.buckets.list(),
            "clusters": self.container.clusters(),
            "node_pools": self.container.node_pools(),
            "operations_in_progress": self.container.operations_in_progress(),
        })
    }

    pub fn reset(&mut self) {
        self.accounts.clear();
        self.policies.clear();
        self.kms = Default::default();
        self.container = Default::default();
        self.buckets.clear();
        self.seed();
    }
}
