# What the endpoint needs: a cluster (with its key and its nodes' service account), a
# GPU pool to run on, and the service account the model server acts as.

resource "mlcloud_kms_key" "secrets" {
  cloud = "gcp"
  name  = "${var.cluster_name}-secrets"
  tags  = var.tags
}

resource "mlcloud_identity" "node" {
  cloud   = "gcp"
  name    = "${var.cluster_name}-nodes"
  purpose = "node"
  tags    = var.tags
}

resource "mlcloud_cluster" "this" {
  cloud             = "gcp"
  name              = var.cluster_name
  encryption_key_id = mlcloud_kms_key.secrets.key_ref

  system_pool {
    node_count       = 1
    node_identity_id = mlcloud_identity.node.id
  }

  tags = var.tags
}

# GKE installs the NVIDIA driver and device plugin itself: the nodes advertise
# nvidia.com/gpu and carry the nvidia.com/gpu=present:NoSchedule taint.
resource "mlcloud_node_pool" "gpu" {
  cloud            = "gcp"
  cluster_id       = mlcloud_cluster.this.id
  name             = "gpu"
  node_count       = 1
  node_identity_id = mlcloud_identity.node.id

  accelerator {
    type = var.accelerator_type
  }

  tags = var.tags
}

# The model server's Google service account: Workload Identity lets the Kubernetes
# service account namespace/name of the endpoint act as it, and nothing else.
resource "mlcloud_identity" "serving" {
  cloud   = "gcp"
  name    = "${var.cluster_name}-${var.endpoint_name}"
  purpose = "workload"

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.namespace
    service_account = var.endpoint_name
  }
}
