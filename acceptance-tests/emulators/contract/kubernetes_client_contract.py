"""Contract test of the mlcloud-emulator `kubernetes` part with the official Kubernetes
Python client.

Usage: kubernetes_client_contract.py READY_LINE_JSON

Talks to the part's own API server (the one `endpoints { kubernetes }` overrides
reach) over https, trusting the emulator's CA, with an EKS token as the provider
makes one (a presigned STS GetCallerIdentity URL signing `x-k8s-aws-id`, made with
botocore).
Registers a node as a kubelet does, then creates, applies, patches and deletes
objects; checks the answers a client branches on (NotFound, AlreadyExists, Conflict,
Invalid, Forbidden); rolls a Deployment of the bundled smoke image out to Ready and
reaches the real smoke server through the service proxy (`/v2/health/ready` and an
inference). Prints one JSON line with what it did; any failed check raises.
"""

import base64
import json
import sys
import time

import botocore.session
from botocore.signers import RequestSigner

from kubernetes import client
from kubernetes.client.rest import ApiException

NAMESPACE = "ml-serving"
SMOKE_IMAGE = "ghcr.io/mlcloud/mlcloud-smoke:0.1.0"


def eks_token(cluster="ml", region="us-east-1"):
    """`k8s-aws-v1.` + base64url of a presigned GetCallerIdentity signing x-k8s-aws-id."""
    session = botocore.session.get_session()
    session.set_credentials("AKIDEXAMPLE", "not-a-secret")
    sts = session.create_client("sts", region_name=region)
    signer = RequestSigner(sts.meta.service_model.service_id, region, "sts", "v4",
                           session.get_credentials(), session.get_component("event_emitter"))
    url = signer.generate_presigned_url({
        "method": "GET",
        "url": f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": {}, "headers": {"x-k8s-aws-id": cluster}, "context": {},
    }, region_name=region, expires_in=60, operation_name="")
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def refused(status, reason, call, *args, **kwargs):
    """Runs a call that must fail with this HTTP status and Status reason."""
    try:
        call(*args, **kwargs)
    except ApiException as error:
        body = json.loads(error.body)
        assert error.status == status, (error.status, error.body)
        assert body["kind"] == "Status" and body["reason"] == reason, error.body
        return body
    raise AssertionError(f"{call} was accepted; expected {reason}")


def deployment(replicas, image=SMOKE_IMAGE):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "iris", "namespace": NAMESPACE, "labels": {"app": "iris"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "iris"}},
            "template": {
                "metadata": {"labels": {"app": "iris"}},
                "spec": {
                    "containers": [{
                        "name": "server",
                        "image": image,
                        "env": [{"name": "MODEL_NAME", "value": "iris"}],
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                    }],
                },
            },
        },
    }


class Contract:
    def __init__(self, ready, token):
        configuration = client.Configuration()
        configuration.host = ready["kubernetes"]["endpoint"]
        configuration.ssl_ca_cert = ready["kubernetes"]["ca_file"]
        configuration.api_key = {"BearerToken": token}
        configuration.api_key_prefix = {"BearerToken": "Bearer"}
        self.host = configuration.host
        self.token = token
        self.api_client = client.ApiClient(configuration)
        self.core = client.CoreV1Api(self.api_client)
        self.apps = client.AppsV1Api(self.api_client)
        self.rbac_api = client.RbacAuthorizationV1Api(self.api_client)
        self.version = client.VersionApi(self.api_client)
        self.did = []

    def run(self):
        assert self.version.get_code().git_version.startswith("v1."), "version"
        self.node()
        self.objects()
        self.rbac()
        self.rollout()
        self.proxy()
        self.delete()
        return self.did

    def node(self):
        """A kubelet registers its node with its status, then updates the status."""
        node = {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "ip-10-0-1-10.ec2.internal",
                         "labels": {"eks.amazonaws.com/nodegroup": "cpu",
                                    "node.kubernetes.io/instance-type": "m5.xlarge"}},
            "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "58"},
                       "allocatable": {"cpu": "3920m", "memory": "15Gi", "pods": "58"},
                       "conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]},
        }
        created = self.core.create_node(node)
        assert created.status.capacity["cpu"] == "4"
        status = {"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}
        patched = self.core.patch_node_status(created.metadata.name, status)
        assert patched.status.conditions[0].status == "True"
        self.did.append("node registered and made Ready")

    def objects(self):
        refused(404, "NotFound", self.core.read_namespace, NAMESPACE)
        self.core.create_namespace({"metadata": {"name": NAMESPACE}})
        refused(409, "AlreadyExists", self.core.create_namespace, {"metadata": {"name": NAMESPACE}})
        invalid = refused(422, "Invalid", self.core.create_namespace, {"metadata": {"name": "Not_A_Name"}})
        assert invalid["details"]["causes"][0]["field"] == "metadata.name", invalid
        refused(403, "Forbidden", self.core.create_namespaced_pod, NAMESPACE,
                {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": SMOKE_IMAGE}]}})

        account = self.core.create_namespaced_service_account(
            NAMESPACE, {"metadata": {"name": "iris", "annotations": {"a": "1"}}})
        stale = account.metadata.resource_version
        account.metadata.annotations["a"] = "2"
        self.core.replace_namespaced_service_account("iris", NAMESPACE, account)
        account.metadata.resource_version = stale
        refused(409, "Conflict", self.core.replace_namespaced_service_account, "iris", NAMESPACE, account)
        merged = self.core.patch_namespaced_service_account(
            "iris", NAMESPACE, {"metadata": {"labels": {"team": "ml"}}},
            _content_type="application/merge-patch+json")
        assert merged.metadata.labels == {"team": "ml"} and merged.metadata.annotations["a"] == "2"
        listed = self.core.list_namespaced_service_account(NAMESPACE, label_selector="team=ml")
        assert [a.metadata.name for a in listed.items] == ["iris"]

        # Server-side apply creates, then a hand edit makes a non-forced apply conflict.
        applied = self.apps.patch_namespaced_deployment(
            "iris", NAMESPACE, deployment(1), field_manager="mlcloud", force=True,
            _content_type="application/apply-patch+yaml")
        assert applied.metadata.generation == 1
        self.apps.patch_namespaced_deployment(
            "iris", NAMESPACE, {"spec": {"replicas": 3}}, field_manager="operator",
            _content_type="application/merge-patch+json")
        conflict = refused(409, "Conflict", self.apps.patch_namespaced_deployment,
                           "iris", NAMESPACE, deployment(2), field_manager="mlcloud", force=False,
                           _content_type="application/apply-patch+yaml")
        assert conflict["details"]["causes"][0]["field"] == ".spec.replicas", conflict
        forced = self.apps.patch_namespaced_deployment(
            "iris", NAMESPACE, deployment(2), field_manager="mlcloud", force=True,
            _content_type="application/apply-patch+yaml")
        assert forced.spec.replicas == 2 and forced.metadata.generation == 3, forced.metadata
        self.core.create_namespaced_service(NAMESPACE, {
            "metadata": {"name": "iris"},
            "spec": {"selector": {"app": "iris"}, "ports": [{"name": "http", "port": 8080, "targetPort": 8080}]},
        })
        self.did.append("create/replace/merge/apply with NotFound, AlreadyExists, Invalid, Forbidden, Conflict")

    def rbac(self):
        role = {"metadata": {"name": "reader"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}
        created = self.rbac_api.create_cluster_role(role)
        assert created.rules[0].resources == ["pods"], created
        invalid = refused(422, "Invalid", self.rbac_api.create_cluster_role,
                          {"metadata": {"name": "bad"}, "rules": [{"resources": ["pods"]}]})
        assert invalid["details"]["causes"][0]["field"] == "rules[0].verbs", invalid
        binding = {"metadata": {"name": "reader"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
                   "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "kube-system"}]}
        made = self.rbac_api.create_cluster_role_binding(binding)
        made.role_ref.name = "other"
        changed = refused(422, "Invalid", self.rbac_api.replace_cluster_role_binding, "reader", made)
        assert changed["details"]["causes"][0]["field"] == "roleRef", changed
        local = {"metadata": {"name": "lease"},
                 "rules": [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"]}]}
        self.rbac_api.create_namespaced_role("kube-system", local)
        listed = self.rbac_api.list_namespaced_role("kube-system")
        assert [r.metadata.name for r in listed.items] == ["lease"], listed
        self.rbac_api.delete_namespaced_role("lease", "kube-system")
        self.rbac_api.delete_cluster_role_binding("reader")
        self.rbac_api.delete_cluster_role("reader")
        refused(404, "NotFound", self.rbac_api.read_cluster_role, "reader")
        self.did.append("rbac: cluster role, binding (roleRef immutable), role")

    def wait(self, done, what, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = done()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def rollout(self):
        def rolled_out():
            d = self.apps.read_namespaced_deployment_status("iris", NAMESPACE)
            s = d.status
            complete = (s.observed_generation == d.metadata.generation and s.updated_replicas == 2
                        and s.ready_replicas == 2 and s.available_replicas == 2 and s.replicas == 2)
            return d if complete else None
        done = self.wait(rolled_out, "the rollout")
        reasons = {c.type: c.reason for c in done.status.conditions}
        assert reasons == {"Available": "MinimumReplicasAvailable", "Progressing": "NewReplicaSetAvailable"}, reasons
        pods = self.core.list_namespaced_pod(NAMESPACE, label_selector="app=iris").items
        assert len(pods) == 2 and all(p.status.phase == "Running" for p in pods), pods
        assert all("pod-template-hash" in p.metadata.labels for p in pods)
        self.did.append("deployment rolled out: 2/2 ready")

        # An image the nodes cannot pull: the new pod says why; the old ones keep serving.
        self.apps.patch_namespaced_deployment(
            "iris", NAMESPACE, deployment(2, image="registry.invalid/nope:1"), field_manager="mlcloud",
            force=True, _content_type="application/apply-patch+yaml")

        def pull_failed():
            pods = self.core.list_namespaced_pod(NAMESPACE, label_selector="app=iris").items
            for pod in pods:
                for status in pod.status.container_statuses or []:
                    if status.state.waiting and status.state.waiting.reason == "ImagePullBackOff":
                        return pod
            return None
        self.wait(pull_failed, "ImagePullBackOff")
        self.apps.patch_namespaced_deployment(
            "iris", NAMESPACE, deployment(2), field_manager="mlcloud", force=True,
            _content_type="application/apply-patch+yaml")
        self.wait(rolled_out, "the rollout back")
        self.did.append("unpullable image: ImagePullBackOff; rolled back")

    def proxy_call(self, method, path, body=None):
        """Through the service proxy, with the client's own REST layer (its generated
        proxy methods take no body)."""
        url = f"{self.host}/api/v1/namespaces/{NAMESPACE}/services/iris:8080/proxy/{path}"
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Accept": "application/json"}
        response = self.api_client.rest_client.request(method, url, headers=headers, body=body)
        return response.status, response.data

    def proxy(self):
        status, _ = self.proxy_call("GET", "v2/health/ready")
        assert status == 200, status
        status, body = self.proxy_call("POST", "v2/models/iris/infer", {
            "inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [5.1, 3.5, 1.4, 0.2]}]})
        assert status == 200, (status, body)
        answer = json.loads(body)
        label = next(o for o in answer["outputs"] if o["name"] == "label")
        assert label["data"] == ["setosa"], answer
        self.did.append("service proxy: ready 200, infer says setosa")

    def delete(self):
        gone = self.apps.delete_namespaced_deployment("iris", NAMESPACE)
        assert gone.status == "Success", gone

        def no_endpoints():
            try:
                self.proxy_call("GET", "v2/health/ready")
            except ApiException as error:
                return error.status == 503 and json.loads(error.body)["reason"] == "ServiceUnavailable"
            return False
        self.wait(no_endpoints, "the proxy to answer 503 without pods")
        # A namespace's delete answers the Namespace, Terminating (the client's
        # V1Status typing cannot hold it: read the raw answer).
        terminating = json.loads(self.core.delete_namespace(NAMESPACE, _preload_content=False).data)
        assert terminating["kind"] == "Namespace", terminating
        assert terminating["status"]["phase"] == "Terminating", terminating
        self.wait(lambda: not any(n.metadata.name == NAMESPACE for n in self.core.list_namespace().items),
                  "the namespace to go")
        refused(404, "NotFound", self.core.read_namespaced_service, "iris", NAMESPACE)
        self.core.delete_node("ip-10-0-1-10.ec2.internal")
        self.did.append("deleted: deployment (proxy 503), namespace (Terminating, then gone), node")


def main():
    ready = json.loads(sys.argv[1])
    did = Contract(ready, eks_token()).run()
    print(json.dumps({"ok": True, "did": did}))


if __name__ == "__main__":
    main()
