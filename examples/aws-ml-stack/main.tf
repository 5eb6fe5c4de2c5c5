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

# ---------------------------------------------------------------- encryption

# Encrypts the cluster's Kubernetes secrets; the inference workload may decrypt with it.
resource "mlcloud_kms_key" "secrets" {
  cloud                = "aws"
  name                 = "${var.name}-secrets"
  description          = "Kubernetes secrets of ${var.name}"
  rotation_period_days = 180
  tags                 = var.tags
}

# ---------------------------------------------------------------- identities

resource "mlcloud_identity" "cluster" {
  cloud   = "aws"
  name    = "${var.name}-cluster"
  purpose = "cluster"
  tags    = var.tags
}

resource "mlcloud_identity" "node" {
  cloud   = "aws"
  name    = "${var.name}-node"
  purpose = "node"
  tags    = var.tags
}

# The inference service account's role: it may decrypt with the key and read the
# model store prefix, nothing more.
resource "mlcloud_identity" "inference" {
  cloud   = "aws"
  name    = "${var.name}-${var.serving_service_account}"
  purpose = "workload"

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.serving_namespace
    service_account = var.serving_service_account
  }

  grants = [
    { action = "kms_decrypt", target = mlcloud_kms_key.secrets.key_ref },
    { action = "model_store_read", target = var.model_store_uri },
  ]

  tags = var.tags
}

# ---------------------------------------------------------------- cluster

resource "mlcloud_cluster" "this" {
  cloud              = "aws"
  name               = var.name
  kubernetes_version = var.kubernetes_version
  endpoint_access    = var.endpoint_access
  authorized_cidrs   = length(var.authorized_cidrs) > 0 ? var.authorized_cidrs : null
  encryption_key_id  = mlcloud_kms_key.secrets.key_ref
  identity_id        = mlcloud_identity.cluster.id

  system_pool {
    node_count       = 2
    node_identity_id = mlcloud_identity.node.id
  }

  aws {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  tags = var.tags
}

# ---------------------------------------------------------------- GPU nodes

# Tainted nvidia.com/gpu=present:NoSchedule: only GPU workloads are scheduled here.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "aws"
  cluster_id = mlcloud_cluster.this.id
  name       = "gpu"

  accelerator {
    type  = var.gpu_type
    count = var.gpus_per_node
  }

  node_count       = var.gpu_node_count
  capacity_type    = var.gpu_capacity_type
  labels           = { workload = "inference" }
  node_identity_id = mlcloud_identity.node.id
  tags             = var.tags
}
