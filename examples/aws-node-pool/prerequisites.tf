# What the node pool needs: a cluster (with its key and roles) and the nodes' role.

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

resource "mlcloud_cluster" "this" {
  cloud             = "aws"
  name              = var.cluster_name
  encryption_key_id = mlcloud_kms_key.secrets.key_ref
  identity_id       = mlcloud_identity.cluster.id

  system_pool {
    node_identity_id = mlcloud_identity.node.id
  }

  aws {
    subnet_ids = var.subnet_ids
  }

  tags = var.tags
}
