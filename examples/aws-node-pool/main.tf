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

  capacity_type    = var.capacity_type
  labels           = var.labels
  disk_size_gb     = var.disk_size_gb
  node_identity_id = mlcloud_identity.node.id
  tags             = var.tags
}
