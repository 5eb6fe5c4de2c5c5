# What the cluster needs: a key for its secrets, its own role, and the nodes' role.

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
