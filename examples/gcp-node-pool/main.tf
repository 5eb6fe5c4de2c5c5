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

# A GPU pool. The accelerator is resolved through the provider's catalog to a machine
# type (nvidia-l4 x1: g2-standard-4); GKE installs the NVIDIA driver, and the nodes get
# the taint nvidia.com/gpu=present:NoSchedule, so only pods that tolerate it land there.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "gcp"
  cluster_id = mlcloud_cluster.this.id
  name       = var.pool_name

  accelerator {
    type  = var.accelerator_type
    count = var.accelerators_per_node
  }

  autoscaling {
    min = var.min_nodes
    max = var.max_nodes
  }

  capacity_type    = var.capacity_type
  labels           = var.labels
  disk_size_gb     = var.disk_size_gb
  node_identity_id = mlcloud_identity.node.id
  tags             = var.tags
}
