"""Contract test of the mlcloud-emulator `gcp` part with Google's official Python SDKs.

Usage: gcp_sdk_contract.py READY_LINE_JSON [stack|faults]

Every client speaks REST to the emulator's endpoint with the service-account key file
the emulator generated, so the real google-auth credential path runs. Walks a stack
(service account, key ring + key, GKE agent binding, a cluster with database
encryption, a GPU pool and a multi-host TPU pool), changes it, reads it back and
deletes it, and checks the refusals a user can meet by their google.rpc status.
Prints one JSON line with what it did; any failed check raises.
"""

import json
import sys
import time

import google.auth.transport.requests
import requests
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.transport.requests import AuthorizedSession
from google.cloud import container_v1, kms_v1, resourcemanager_v3
from google.iam.v1 import policy_pb2
from google.oauth2 import service_account
from google.protobuf import duration_pb2, timestamp_pb2

LOCATION = "us-central1"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


def status_of(error):
    """The google.rpc status string of an API error, from its JSON body."""
    return error.response.json()["error"]["status"]


def refused(expected_http, expected_status, call, *args, **kwargs):
    """Runs a call that must fail with this HTTP code and google.rpc status."""
    try:
        call(*args, **kwargs)
    except exceptions.GoogleAPICallError as error:
        assert error.code == expected_http, (error.code, error)
        assert status_of(error) == expected_status, (status_of(error), error)
        return str(error.message)
    raise AssertionError(f"{call} was accepted; expected {expected_status}")


class IamRest:
    """iam v1 over REST. google-cloud-iam's IAM admin client speaks only gRPC, so this
    sends the same REST calls through google-auth's AuthorizedSession (the same
    credentials, the same auth path) and raises google.api_core's errors."""

    def __init__(self, endpoint, credentials):
        self.base = f"{endpoint}/v1"
        self.session = AuthorizedSession(credentials)

    def call(self, method, path, body=None):
        answer = self.session.request(method, f"{self.base}/{path}", json=body, timeout=10)
        if answer.status_code >= 400:
            raise exceptions.from_http_response(answer)
        return answer.json()

    def create_service_account(self, name, account_id, display_name=""):
        body = {"accountId": account_id, "serviceAccount": {"displayName": display_name}}
        return self.call("POST", f"{name}/serviceAccounts", body)

    def get_service_account(self, name):
        return self.call("GET", name)

    def delete_service_account(self, name):
        return self.call("DELETE", name)

    def get_iam_policy(self, resource):
        return self.call("POST", f"{resource}:getIamPolicy", {})

    def set_iam_policy(self, resource, policy):
        return self.call("POST", f"{resource}:setIamPolicy", {"policy": policy})


class Stack:
    def __init__(self, ready):
        gcp = ready["gcp"]
        self.endpoint = gcp["endpoint"]
        self.project = gcp["project"]
        self.number = gcp["project_number"]
        self.key_file = gcp["credentials_file"]
        self.credentials = service_account.Credentials.from_service_account_file(self.key_file, scopes=SCOPES)
        options = ClientOptions(api_endpoint=self.endpoint)
        common = dict(credentials=self.credentials, transport="rest", client_options=options)
        self.gke = container_v1.ClusterManagerClient(**common)
        self.kms = kms_v1.KeyManagementServiceClient(**common)
        self.iam = IamRest(self.endpoint, self.credentials)
        self.projects = resourcemanager_v3.ProjectsClient(**common)
        self.parent = f"projects/{self.project}/locations/{LOCATION}"
        self.did = []

    def wait(self, operation, timeout=60):
        name = f"{self.parent}/operations/{operation.name}"
        deadline = time.time() + timeout
        seen = {operation.status}
        while operation.status != container_v1.Operation.Status.DONE:
            assert time.time() < deadline, f"{name} still {operation.status}"
            time.sleep(0.05)
            operation = self.gke.get_operation(name=name)
            seen.add(operation.status)
        return operation, seen

    def run(self):
        self.project_and_auth()
        account = self.service_account()
        key = self.key()
        cluster = self.cluster(account, key)
        self.pools(cluster, account)
        self.upgrade_and_disk_key(key, account)
        self.bucket_grant(account)
        self.teardown(cluster, key, account)
        return self.did

    def project_and_auth(self):
        project = self.projects.get_project(name=f"projects/{self.project}")
        assert project.name == f"projects/{self.number}", project.name
        assert project.project_id == self.project
        assert project.state == resourcemanager_v3.Project.State.ACTIVE
        policy = self.projects.get_iam_policy(request={"resource": f"projects/{self.project}"})
        assert any(b.role == "roles/owner" for b in policy.bindings), policy
        # A bearer token the emulator neither issued nor can verify.
        answer = requests.get(
            f"{self.endpoint}/v3/projects/{self.project}",
            headers={"authorization": "Bearer ya29.not-a-token"},
            timeout=10,
        )
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED", answer.text
        # No credentials at all.
        answer = requests.get(f"{self.endpoint}/v3/projects/{self.project}", timeout=10)
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED", answer.text
        # google-auth's token endpoint path: a JWT-bearer grant at the key's token_uri.
        exchanging = service_account.Credentials.from_service_account_file(self.key_file, scopes=SCOPES)
        exchanging.refresh(google.auth.transport.requests.Request())
        assert exchanging.token.startswith("ya29."), exchanging.token
        answer = requests.get(
            f"{self.endpoint}/v3/projects/{self.project}",
            headers={"authorization": f"Bearer {exchanging.token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        # tokeninfo names the account an access token belongs to.
        info = requests.post(f"{self.endpoint}/tokeninfo", data={"access_token": exchanging.token}, timeout=10)
        assert info.status_code == 200 and info.json()["email"] == exchanging.service_account_email, info.text
        # The self-signed JWT path (what the Rust auth crate does for keys): the JWT
        # itself is the bearer token, no token endpoint involved.
        self_signed = service_account.Credentials.from_service_account_file(
            self.key_file, scopes=SCOPES, always_use_jwt_access=True
        )
        self_signed._create_self_signed_jwt(None)
        self_signed.refresh(google.auth.transport.requests.Request())
        assert self_signed.token.count(".") == 2, self_signed.token
        answer = requests.get(
            f"{self.endpoint}/v3/projects/{self.project}",
            headers={"authorization": f"Bearer {self_signed.token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        info = requests.get(f"{self.endpoint}/tokeninfo", params={"access_token": self_signed.token}, timeout=10)
        assert info.status_code == 400 and info.json()["error"] == "invalid_token", info.text
        self.did.append("project + auth (self-signed JWT, token exchange, tokeninfo, refusals)")

    def service_account(self):
        parent = f"projects/{self.project}"
        message = refused(400, "INVALID_ARGUMENT", self.iam.create_service_account, parent, "Bad_Id")
        assert "Bad_Id" in message, message
        account = self.iam.create_service_account(parent, "ml-nodes", "ML nodes")
        assert account["email"] == f"ml-nodes@{self.project}.iam.gserviceaccount.com", account
        refused(409, "ALREADY_EXISTS", self.iam.create_service_account, parent, "ml-nodes")
        got = self.iam.get_service_account(account["name"])
        assert got["uniqueId"] == account["uniqueId"] and got["displayName"] == "ML nodes", got
        resource = account["name"]
        policy = self.iam.get_iam_policy(resource)
        member = f"serviceAccount:{self.project}.svc.id.goog[ml/trainer]"
        first = dict(policy, bindings=[{"role": "roles/iam.workloadIdentityUser", "members": [member]}])
        written = self.iam.set_iam_policy(resource, first)
        assert written["etag"] != policy["etag"], written
        # Writing again with the etag that was read first: someone else won.
        refused(409, "ABORTED", self.iam.set_iam_policy, resource, first)
        self.did.append("service account + policy by etag")
        return account

    def key(self):
        ring = self.kms.create_key_ring(
            request={"parent": self.parent, "key_ring_id": "ml", "key_ring": {}}
        )
        refused(409, "ALREADY_EXISTS", self.kms.create_key_ring,
                request={"parent": self.parent, "key_ring_id": "ml", "key_ring": {}})
        next_rotation = timestamp_pb2.Timestamp(seconds=int(time.time()) + 86400)
        short = kms_v1.CryptoKey(
            purpose=kms_v1.CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT,
            rotation_period=duration_pb2.Duration(seconds=3600),
            next_rotation_time=next_rotation,
        )
        refused(400, "INVALID_ARGUMENT", self.kms.create_crypto_key,
                request={"parent": ring.name, "crypto_key_id": "etcd", "crypto_key": short})
        key = self.kms.create_crypto_key(
            request={
                "parent": ring.name,
                "crypto_key_id": "etcd",
                "crypto_key": kms_v1.CryptoKey(
                    purpose=kms_v1.CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT,
                    rotation_period=duration_pb2.Duration(seconds=90 * 86400),
                    next_rotation_time=next_rotation,
                    version_template=kms_v1.CryptoKeyVersionTemplate(
                        protection_level=kms_v1.ProtectionLevel.SOFTWARE
                    ),
                    labels={"managed-by": "mlcloud"},
                ),
            }
        )
        assert key.primary.state == kms_v1.CryptoKeyVersion.CryptoKeyVersionState.ENABLED, key
        assert key.destroy_scheduled_duration.days == 30, key.destroy_scheduled_duration
        patched = self.kms.update_crypto_key(
            request={
                "crypto_key": {"name": key.name, "labels": {"managed-by": "mlcloud", "team": "ml"}},
                "update_mask": {"paths": ["labels"]},
            }
        )
        assert patched.labels["team"] == "ml"
        refused(400, "INVALID_ARGUMENT", self.kms.update_crypto_key, request={
            "crypto_key": {"name": key.name, "destroy_scheduled_duration": duration_pb2.Duration(seconds=86400)},
            "update_mask": {"paths": ["destroy_scheduled_duration"]},
        })
        self.did.append("key ring + crypto key")
        return key

    def cluster_spec(self, account, key):
        return container_v1.Cluster(
            name="ml",
            release_channel=container_v1.ReleaseChannel(channel=container_v1.ReleaseChannel.Channel.REGULAR),
            workload_identity_config=container_v1.WorkloadIdentityConfig(workload_pool=f"{self.project}.svc.id.goog"),
            shielded_nodes=container_v1.ShieldedNodes(enabled=True),
            private_cluster_config=container_v1.PrivateClusterConfig(
                enable_private_nodes=True, enable_private_endpoint=True, master_ipv4_cidr_block="172.16.0.32/28"
            ),
            database_encryption=container_v1.DatabaseEncryption(
                state=container_v1.DatabaseEncryption.State.ENCRYPTED, key_name=key.name
            ),
            node_pools=[
                container_v1.NodePool(
                    name="system",
                    initial_node_count=1,
                    config=container_v1.NodeConfig(
                        machine_type="e2-standard-4",
                        service_account=account["email"],
                        labels={"pool": "system"},
                        workload_metadata_config=container_v1.WorkloadMetadataConfig(
                            mode=container_v1.WorkloadMetadataConfig.Mode.GKE_METADATA
                        ),
                        shielded_instance_config=container_v1.ShieldedInstanceConfig(enable_secure_boot=True),
                    ),
                )
            ],
        )

    def cluster(self, account, key):
        spec = self.cluster_spec(account, key)
        message = refused(400, "FAILED_PRECONDITION", self.gke.create_cluster, parent=self.parent, cluster=spec)
        assert "container-engine-robot" in message, message
        agent = f"serviceAccount:service-{self.number}@container-engine-robot.iam.gserviceaccount.com"
        policy = self.kms.get_iam_policy(request={"resource": key.name})
        policy.bindings.append(policy_pb2.Binding(role=ENCRYPTER_DECRYPTER, members=[agent]))
        self.kms.set_iam_policy(request={"resource": key.name, "policy": policy})
        operation = self.gke.create_cluster(parent=self.parent, cluster=spec)
        assert operation.operation_type == container_v1.Operation.Type.CREATE_CLUSTER
        assert operation.status == container_v1.Operation.Status.PENDING, operation.status
        done, seen = self.wait(operation)
        assert not done.error.message, done.error
        name = f"{self.parent}/clusters/ml"
        cluster = self.gke.get_cluster(name=name)
        assert cluster.status == container_v1.Cluster.Status.RUNNING, cluster.status
        assert cluster.database_encryption.state == container_v1.DatabaseEncryption.State.ENCRYPTED
        # The emulator points the private endpoint at the cluster's own Kubernetes API
        # (host:port on 127.0.0.1), where GKE gives an address in the CIDR block.
        assert cluster.private_cluster_config.private_endpoint.startswith("127.0.0.1:"), cluster.private_cluster_config
        assert cluster.node_pools[0].config.workload_metadata_config.mode == container_v1.WorkloadMetadataConfig.Mode.GKE_METADATA
        assert cluster.etag
        refused(409, "ALREADY_EXISTS", self.gke.create_cluster, parent=self.parent, cluster=spec)
        self.did.append(f"cluster with database encryption (operation went {sorted(s.name for s in seen)})")
        return cluster

    def pools(self, cluster, account):
        name = f"{self.parent}/clusters/ml"
        gpu = container_v1.NodePool(
            name="gpu",
            initial_node_count=1,
            autoscaling=container_v1.NodePoolAutoscaling(enabled=True, min_node_count=0, max_node_count=3),
            config=container_v1.NodeConfig(
                machine_type="g2-standard-24",
                service_account=account["email"],
                spot=True,
                accelerators=[
                    container_v1.AcceleratorConfig(
                        accelerator_count=2,
                        accelerator_type="nvidia-l4",
                        gpu_driver_installation_config=container_v1.GPUDriverInstallationConfig(
                            gpu_driver_version=container_v1.GPUDriverInstallationConfig.GPUDriverVersion.LATEST
                        ),
                    )
                ],
                taints=[container_v1.NodeTaint(key="nvidia.com/gpu", value="present",
                                               effect=container_v1.NodeTaint.Effect.NO_SCHEDULE)],
            ),
        )
        wrong_gpu = container_v1.NodePool(gpu)
        wrong_gpu.name = "gpu-wrong"
        wrong_gpu.config.machine_type = "n1-standard-8"
        refused(400, "INVALID_ARGUMENT", self.gke.create_node_pool, parent=name, node_pool=wrong_gpu)
        creating = self.gke.create_node_pool(parent=name, node_pool=gpu)
        tpu = container_v1.NodePool(
            name="tpu",
            initial_node_count=4,
            placement_policy=container_v1.NodePool.PlacementPolicy(
                type_=container_v1.NodePool.PlacementPolicy.Type.COMPACT, tpu_topology="4x4"
            ),
            config=container_v1.NodeConfig(machine_type="ct5lp-hightpu-4t", service_account=account["email"]),
        )
        # Only one operation at a time per cluster.
        message = refused(400, "FAILED_PRECONDITION", self.gke.create_node_pool, parent=name, node_pool=tpu)
        assert creating.name in message, message
        self.wait(creating)
        bad_topology = container_v1.NodePool(tpu)
        bad_topology.initial_node_count = 2
        refused(400, "INVALID_ARGUMENT", self.gke.create_node_pool, parent=name, node_pool=bad_topology)
        self.wait(self.gke.create_node_pool(parent=name, node_pool=tpu))
        got = self.gke.get_node_pool(name=f"{name}/nodePools/tpu")
        assert got.placement_policy.tpu_topology == "4x4" and got.initial_node_count == 4, got
        assert got.status == container_v1.NodePool.Status.RUNNING
        gpu_name = f"{name}/nodePools/gpu"
        self.wait(self.gke.set_node_pool_size(request={"name": gpu_name, "node_count": 2}))
        self.wait(self.gke.set_node_pool_autoscaling(request={
            "name": gpu_name,
            "autoscaling": container_v1.NodePoolAutoscaling(enabled=True, min_node_count=1, max_node_count=5),
        }))
        self.wait(self.gke.update_node_pool(request={
            "name": gpu_name, "node_version": "-", "image_type": "COS_CONTAINERD",
            "labels": {"labels": {"pool": "gpu", "accelerator": "l4"}},
        }))
        got = self.gke.get_node_pool(name=gpu_name)
        assert got.autoscaling.max_node_count == 5, got.autoscaling
        assert got.config.labels["accelerator"] == "l4", got.config.labels
        assert got.config.accelerators[0].accelerator_count == 2
        assert got.config.accelerators[0].gpu_driver_installation_config.gpu_driver_version == \
            container_v1.GPUDriverInstallationConfig.GPUDriverVersion.LATEST
        assert got.config.taints[0].effect == container_v1.NodeTaint.Effect.NO_SCHEDULE
        stale = self.gke.get_cluster(name=name).etag
        self.wait(self.gke.update_cluster(name=name, update=container_v1.ClusterUpdate(
            desired_release_channel=container_v1.ReleaseChannel(channel=container_v1.ReleaseChannel.Channel.STABLE)
        )))
        refused(409, "ABORTED", self.gke.update_cluster, name=name, update=container_v1.ClusterUpdate(
            desired_release_channel=container_v1.ReleaseChannel(channel=container_v1.ReleaseChannel.Channel.RAPID),
            etag=stale,
        ))
        cluster = self.gke.get_cluster(name=name)
        assert cluster.release_channel.channel == container_v1.ReleaseChannel.Channel.STABLE
        assert [p.name for p in cluster.node_pools] == ["system", "gpu", "tpu"], cluster.node_pools
        assert cluster.current_node_count == 1 + 2 + 4, cluster.current_node_count
        listed = self.gke.list_clusters(parent=self.parent)
        assert [c.name for c in listed.clusters] == ["ml"]
        self.did.append("gpu pool + multi-host tpu pool, resized, autoscaled, relabelled")

    def upgrade_and_disk_key(self, key, account):
        """One minor up for the control plane, then a pool; a pool never ahead of it;
        boot disks on a key the Compute Engine agent may use."""
        name = f"{self.parent}/clusters/ml"
        refused(400, "INVALID_ARGUMENT", self.gke.update_cluster, name=name,
                update=container_v1.ClusterUpdate(desired_master_version="1.33"))
        operation = self.gke.update_cluster(name=name, update=container_v1.ClusterUpdate(desired_master_version="1.32"))
        assert operation.operation_type == container_v1.Operation.Type.UPGRADE_MASTER, operation
        self.wait(operation)
        assert self.gke.get_cluster(name=name).current_master_version.startswith("1.32."), name
        gpu_name = f"{name}/nodePools/gpu"
        refused(400, "INVALID_ARGUMENT", self.gke.update_node_pool, request={
            "name": gpu_name, "node_version": "1.33", "image_type": "COS_CONTAINERD"})
        self.wait(self.gke.update_node_pool(request={
            "name": gpu_name, "node_version": "1.32", "image_type": "COS_CONTAINERD"}))
        assert self.gke.get_node_pool(name=gpu_name).version.startswith("1.32."), gpu_name
        disks = container_v1.NodePool(
            name="disks", initial_node_count=1,
            config=container_v1.NodeConfig(machine_type="e2-standard-4", service_account=account["email"],
                                           boot_disk_kms_key=key.name),
        )
        message = refused(400, "FAILED_PRECONDITION", self.gke.create_node_pool, parent=name, node_pool=disks)
        assert "compute-system" in message, message
        agent = f"serviceAccount:service-{self.number}@compute-system.iam.gserviceaccount.com"
        policy = self.kms.get_iam_policy(request={"resource": key.name})
        policy.bindings.append(policy_pb2.Binding(role=ENCRYPTER_DECRYPTER, members=[agent]))
        self.kms.set_iam_policy(request={"resource": key.name, "policy": policy})
        self.wait(self.gke.create_node_pool(parent=name, node_pool=disks))
        got = self.gke.get_node_pool(name=f"{name}/nodePools/disks")
        assert got.config.boot_disk_kms_key == key.name and got.version.startswith("1.32."), got
        self.wait(self.gke.delete_node_pool(name=f"{name}/nodePools/disks"))
        self.did.append("control plane 1.31 -> 1.32, a pool after it, boot disks on the key")

    def bucket_grant(self, account):
        """model_store_read: roles/storage.objectViewer on the bucket, through the
        Cloud Storage JSON API (read-modify-write by etag; a stale one is 412)."""
        storage = AuthorizedSession(self.credentials)
        base = f"{self.endpoint}/storage/v1/b"
        created = storage.post(base, params={"project": self.project}, json={"name": "ml-models"}, timeout=10)
        assert created.status_code == 200, created.text
        again = storage.post(base, params={"project": self.project}, json={"name": "ml-models"}, timeout=10)
        assert again.status_code == 409 and again.json()["error"]["errors"][0]["reason"] == "conflict", again.text
        policy = storage.get(f"{base}/ml-models/iam", timeout=10).json()
        assert policy["kind"] == "storage#policy", policy
        policy["bindings"].append({"role": "roles/storage.objectViewer",
                                   "members": [f"serviceAccount:{account['email']}"]})
        written = storage.put(f"{base}/ml-models/iam", json=policy, timeout=10)
        assert written.status_code == 200, written.text
        stale = storage.put(f"{base}/ml-models/iam", json=policy, timeout=10)
        assert stale.status_code == 412, stale.text
        missing = storage.get(f"{base}/no-such-bucket/iam", timeout=10)
        assert missing.status_code == 404 and missing.json()["error"]["errors"][0]["reason"] == "notFound"
        # A grant limited to a prefix: a condition, version 3, uniform access only.
        only = {"title": "llama", "expression": 'resource.name.startsWith("projects/_/buckets/ml-uniform/objects/llama/")'}
        conditional = {"role": "roles/storage.objectViewer", "members": [f"serviceAccount:{account['email']}"],
                       "condition": only}
        policy = storage.get(f"{base}/ml-models/iam", timeout=10).json()
        policy["version"] = 3
        policy["bindings"].append(conditional)
        legacy = storage.put(f"{base}/ml-models/iam", json=policy, timeout=10)
        assert legacy.status_code == 400 and "uniform" in legacy.text, legacy.text
        uniform = {"name": "ml-uniform", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}}}
        created = storage.post(base, params={"project": self.project}, json=uniform, timeout=10)
        assert created.json()["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"] is True, created.text
        policy = storage.get(f"{base}/ml-uniform/iam", timeout=10).json()
        policy["version"] = 3
        policy["bindings"].append(conditional)
        written = storage.put(f"{base}/ml-uniform/iam", json=policy, timeout=10)
        assert written.status_code == 200 and written.json()["version"] == 3, written.text
        as_v1 = storage.get(f"{base}/ml-uniform/iam", timeout=10)
        assert as_v1.status_code == 400, as_v1.text
        as_v3 = storage.get(f"{base}/ml-uniform/iam", params={"optionsRequestedPolicyVersion": 3}, timeout=10)
        assert as_v3.json()["bindings"][-1]["condition"]["title"] == "llama", as_v3.text
        assert storage.delete(f"{base}/ml-uniform", timeout=10).status_code == 204
        self.did.append("bucket + objectViewer grant by etag, a conditional one on a uniform bucket")

    def teardown(self, cluster, key, account):
        name = f"{self.parent}/clusters/ml"
        for pool in ("tpu", "gpu"):
            self.wait(self.gke.delete_node_pool(name=f"{name}/nodePools/{pool}"))
        self.wait(self.gke.delete_cluster(name=name))
        refused(404, "NOT_FOUND", self.gke.get_cluster, name=name)
        for version in self.kms.list_crypto_key_versions(parent=key.name):
            destroyed = self.kms.destroy_crypto_key_version(name=version.name)
            assert destroyed.state == kms_v1.CryptoKeyVersion.CryptoKeyVersionState.DESTROY_SCHEDULED
        deleted = AuthorizedSession(self.credentials).delete(f"{self.endpoint}/storage/v1/b/ml-models", timeout=10)
        assert deleted.status_code == 204, deleted.text
        self.iam.delete_service_account(account["name"])
        refused(404, "NOT_FOUND", self.iam.get_service_account, account["name"])
        self.did.append("deleted: pools, cluster, key versions scheduled, service account")


def faults(ready):
    """With the test's scripted faults (429 on the first projects.get, 503 on the
    second): the SDK surfaces the throttling as RESOURCE_EXHAUSTED and retries the 503."""
    stack = Stack(ready)
    name = f"projects/{stack.project}"
    refused(429, "RESOURCE_EXHAUSTED", stack.projects.get_project, name=name)
    project = stack.projects.get_project(name=name)
    assert project.project_id == stack.project
    return ["429 RESOURCE_EXHAUSTED surfaced", "503 UNAVAILABLE retried by the SDK"]


def main():
    ready = json.loads(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "stack"
    did = faults(ready) if mode == "faults" else Stack(ready).run()
    print(json.dumps({"ok": True, "did": did}))


if __name__ == "__main__":
    main()
