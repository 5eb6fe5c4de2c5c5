"""Changes a GKE node pool behind Terraform's back, as a colleague with gcloud would:
through Google's official container client (REST) with the key file mlcloud-emulator
generated. Used by the gcp drift story.

    out_of_band.py READY_LINE_JSON delete-pool CLUSTER_NAME POOL
    out_of_band.py READY_LINE_JSON set-size CLUSTER_NAME POOL NODES
    out_of_band.py READY_LINE_JSON set-autoscaling CLUSTER_NAME POOL MIN MAX
"""

import json
import sys
import time

from google.api_core.client_options import ClientOptions
from google.cloud import container_v1
from google.oauth2 import service_account

LOCATION = "us-central1"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def main(ready, action, cluster, pool, *rest):
    gcp = json.loads(ready)["gcp"]
    credentials = service_account.Credentials.from_service_account_file(
        gcp["credentials_file"], scopes=SCOPES
    )
    gke = container_v1.ClusterManagerClient(
        credentials=credentials,
        transport="rest",
        client_options=ClientOptions(api_endpoint=gcp["endpoint"]),
    )
    parent = f"projects/{gcp['project']}/locations/{LOCATION}"
    name = f"{parent}/clusters/{cluster}/nodePools/{pool}"
    if action == "delete-pool":
        operation = gke.delete_node_pool(name=name)
    elif action == "set-size":
        operation = gke.set_node_pool_size(request={"name": name, "node_count": int(rest[0])})
    elif action == "set-autoscaling":
        operation = gke.set_node_pool_autoscaling(request={
            "name": name,
            "autoscaling": {"enabled": True, "min_node_count": int(rest[0]), "max_node_count": int(rest[1])},
        })
    else:
        sys.exit(f"unknown action {action}")
    deadline = time.time() + 60
    while operation.status != container_v1.Operation.Status.DONE:
        if time.time() > deadline:
            sys.exit(f"{operation.name} is still {operation.status}")
        time.sleep(0.05)
        operation = gke.get_operation(name=f"{parent}/operations/{operation.name}")
    if operation.error.message:
        sys.exit(f"{action} failed: {operation.error.message}")
    print(json.dumps({"done": action, "pool": name}))


if __name__ == "__main__":
    main(*sys.argv[1:])
