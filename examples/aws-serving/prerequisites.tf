# What the endpoint needs: a cluster (with its key and roles), a GPU node group to run
# on, and the role the model server acts as.

resource "mlcloud_kms_key" "secrets" {
  cloud       = "aws"
  name        = "${var.cluster_name}-secrets"
  description = "Kubernetes secrets of ${var.cluster_name}"
  tags        = var.tags
}

resource "mlcloud_identity" "cluster" {
  cloud   = "aws"
  name    = "${var.cluster_name}-cluster"
  purpose = "cluster"
  tags    = var.tags
}

resource "mlcloud_identity" "node" {
  cloud   = "aws"
  name    = "${var.cluster_name}-node"
  purpose = "node"
  tags    = var.tags
}

# admin_principals defaults to the caller: an access entry lets the endpoint's token
# (presigned for the caller) manage the cluster's objects.
resource "mlcloud_cluster" "this" {
  cloud             = "aws"
  name              = var.cluster_name
  encryption_key_id = mlcloud_kms_key.secrets.key_ref
  identity_id       = mlcloud_identity.cluster.id

  system_pool {
    node_count       = 1
    node_identity_id = mlcloud_identity.node.id
  }

  aws {
    subnet_ids = var.subnet_ids
  }

  tags = var.tags
}

# NVIDIA nodes, tainted nvidia.com/gpu=present:NoSchedule; the endpoint tolerates the
# taint and asks for one nvidia.com/gpu.
resource "mlcloud_node_pool" "gpu" {
  cloud            = "aws"
  cluster_id       = mlcloud_cluster.this.id
  name             = "gpu"
  node_count       = 1
  node_identity_id = mlcloud_identity.node.id

  accelerator {
    type = var.accelerator_type
  }

  tags = var.tags
}

# The model server's IAM role (IRSA): trusted by the cluster's OIDC provider for the
# endpoint's service account only; it may read the model store, nothing more.
resource "mlcloud_identity" "serving" {
  cloud   = "aws"
  name    = "${var.cluster_name}-${var.endpoint_name}"
  purpose = "workload"

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.namespace
    service_account = var.endpoint_name
  }

  grants = [
    { action = "model_store_read", target = var.model_store_uri },
  ]

  tags = var.tags
}
