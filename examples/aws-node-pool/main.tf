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
      # The clusters' Kubernetes API (the GPU pool applies the NVIDIA device plugin
      # there); null reaches each cluster's own endpoint.
      kubernetes = var.kubernetes_endpoint
    }
    ca_certificate_file = var.ca_certificate_file
  }

  default_tags = var.default_tags
}

# The nodes' root disks are encrypted with a customer-managed key: without
# disk_encryption_key_id a pool uses its cluster's key (encryption_key_id); this one
# has a key of its own, so disk access can be audited and revoked apart from the
# cluster's secrets. mlcloud's key policy lets the Auto Scaling service-linked role use
# the key for EBS, which launching encrypted volumes needs.
resource "mlcloud_kms_key" "disks" {
  cloud       = "aws"
  name        = "${var.cluster_name}-${var.pool_name}-disks"
  description = "Root disks of the ${var.pool_name} nodes of ${var.cluster_name}"
  tags        = var.tags
}

# A GPU node group. The accelerator is resolved through the provider's catalog to an
# instance type (nvidia-l4 x1: g6.xlarge) and the NVIDIA AMI; the nodes get the taint
# nvidia.com/gpu=present:NoSchedule, so only pods that tolerate it land there, and a
# launch template that requires IMDSv2 with a hop limit of 1.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "aws"
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

  capacity_type          = var.capacity_type
  labels                 = var.labels
  disk_size_gb           = var.disk_size_gb
  disk_encryption_key_id = mlcloud_kms_key.disks.key_ref
  node_identity_id       = mlcloud_identity.node.id
  tags                   = var.tags
}
