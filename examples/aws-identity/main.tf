# Credentials come from the standard AWS chain (environment, profile, SSO, web
# identity, instance role). `aws_endpoint` stays null for real AWS; scripts/try sets it
# to a local moto server, which is the only way this module talks to an emulator.
provider "mlcloud" {
  aws {
    region = var.aws_region

    endpoints {
      eks = var.aws_endpoint
      kms = var.aws_endpoint
      iam = var.aws_endpoint
      sts = var.aws_endpoint
      ec2 = var.aws_endpoint
    }
  }

  default_tags = var.default_tags
}

# The role EKS assumes to run the control plane (trusts eks.amazonaws.com, carries
# AmazonEKSClusterPolicy).
resource "mlcloud_identity" "cluster" {
  cloud   = "aws"
  name    = "${var.name_prefix}-cluster"
  purpose = "cluster"
  tags    = var.tags
}

# The role the worker nodes run as (trusts ec2.amazonaws.com, carries the worker
# node, CNI and registry read-only policies).
resource "mlcloud_identity" "node" {
  cloud   = "aws"
  name    = "${var.name_prefix}-node"
  purpose = "node"
  tags    = var.tags
}

# The role of one Kubernetes service account (IRSA): trusted only from the cluster's
# OIDC provider for system:serviceaccount:<namespace>:<service_account>, with one
# inline policy naming exactly the resources granted. Created once a cluster is given.
resource "mlcloud_identity" "workload" {
  count = var.workload_cluster_id == null ? 0 : 1

  cloud   = "aws"
  name    = "${var.name_prefix}-${var.service_account}"
  purpose = "workload"

  workload {
    cluster_id      = var.workload_cluster_id
    namespace       = var.namespace
    service_account = var.service_account
  }

  grants = concat(
    [for key in var.kms_decrypt_key_arns : { action = "kms_decrypt", target = key }],
    [for uri in var.model_store_read_uris : { action = "model_store_read", target = uri }],
  )

  aws {
    permissions_boundary_arn = var.permissions_boundary_arn
  }

  tags = var.tags
}
