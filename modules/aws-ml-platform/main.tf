# A secure ML platform on AWS, from mlcloud resources only:
# KMS key -> cluster, node and workload IAM roles -> private EKS cluster with secrets
# encryption and every control-plane log -> GPU node groups -> a serving endpoint
# proved by a smoke test. The VPC and subnets are the caller's: this module only
# places the cluster in them.

locals {
  # Serving goes on the pool the caller names, else on the first GPU pool by name.
  # Without GPU pools the module adds one small CPU pool, so that the endpoint never
  # lands on the system node group (DNS, networking, the cluster's controllers).
  serving_on_cpu = var.serving_pool == null && length(var.gpu_pools) == 0
  serving_pool   = var.serving_pool != null ? var.serving_pool : (local.serving_on_cpu ? "serving" : sort(keys(var.gpu_pools))[0])
  serving_gpus   = local.serving_on_cpu ? 0 : var.serving_gpus_per_replica

  # A public API endpoint is the one opt-in weakening of the cluster's access.
  endpoint_access = length(var.public_endpoint_cidrs) > 0 ? "public" : "private"

  # A model store grant only when the model comes from one.
  serving_grants = var.model_uri == null ? [] : [
    { action = "model_store_read", target = var.model_uri },
  ]

  boundary = var.permissions_boundary_arn == null ? [] : [var.permissions_boundary_arn]
}

# ---------------------------------------------------------------- encryption

# Encrypts the cluster's Kubernetes secrets and the nodes' EBS volumes.
resource "mlcloud_kms_key" "this" {
  cloud                = "aws"
  name                 = "${var.name}-secrets"
  location             = var.location
  description          = "Kubernetes secrets and node volumes of the ${var.name} cluster"
  rotation_period_days = var.kms_rotation_period_days
  deletion_window_days = var.kms_deletion_window_days
  tags                 = var.tags
}

# ---------------------------------------------------------------- identities

# The EKS cluster role: EKS's managed policy, plus exactly the KMS actions it needs on
# the key (added by the cluster).
resource "mlcloud_identity" "cluster" {
  cloud    = "aws"
  name     = "${var.name}-cluster"
  location = var.location
  purpose  = "cluster"
  tags     = var.tags

  dynamic "aws" {
    for_each = local.boundary
    content {
      permissions_boundary_arn = aws.value
    }
  }
}

# The nodes' role: the worker, CNI and ECR read-only policies, nothing more.
resource "mlcloud_identity" "node" {
  cloud    = "aws"
  name     = "${var.name}-node"
  location = var.location
  purpose  = "node"
  tags     = var.tags

  dynamic "aws" {
    for_each = local.boundary
    content {
      permissions_boundary_arn = aws.value
    }
  }
}

# The serving endpoint's Kubernetes service account assumes this role (IRSA through
# the cluster's OIDC provider), and may read the model's S3 prefix, nothing more (no
# grant at all when the model is in the image).
resource "mlcloud_identity" "workload" {
  cloud    = "aws"
  name     = "${var.name}-serving"
  location = var.location
  purpose  = "workload"
  grants   = local.serving_grants
  tags     = var.tags

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.serving_namespace
    service_account = var.serving_name
  }

  dynamic "aws" {
    for_each = local.boundary
    content {
      permissions_boundary_arn = aws.value
    }
  }
}

# ---------------------------------------------------------------- cluster

# EKS with secrets encrypted by the key, a private endpoint (unless
# public_endpoint_cidrs), every control-plane log type, an OIDC provider for IRSA, and
# access only through admin_principals' access entries.
resource "mlcloud_cluster" "this" {
  cloud              = "aws"
  name               = var.name
  location           = var.location
  kubernetes_version = var.kubernetes_version
  endpoint_access    = local.endpoint_access
  authorized_cidrs   = local.endpoint_access == "public" ? var.public_endpoint_cidrs : null
  encryption_key_id  = mlcloud_kms_key.this.key_ref
  identity_id        = mlcloud_identity.cluster.id
  admin_principals   = var.admin_principals
  logging            = var.control_plane_log_types

  system_pool {
    machine_type     = var.system_pool_machine_type
    node_count       = var.system_pool_node_count
    node_identity_id = mlcloud_identity.node.id
  }

  aws {
    subnet_ids         = var.subnet_ids
    security_group_ids = length(var.security_group_ids) > 0 ? var.security_group_ids : null
  }

  tags = var.tags
}

# ---------------------------------------------------------------- accelerators

# One managed node group per gpu_pools entry, named by its key, on the GPU AMI and
# tainted nvidia.com/gpu=present:NoSchedule (the provider's default).
resource "mlcloud_node_pool" "gpu" {
  for_each = var.gpu_pools

  cloud            = "aws"
  cluster_id       = mlcloud_cluster.this.id
  name             = each.key
  location         = var.location
  node_identity_id = mlcloud_identity.node.id
  capacity_type    = each.value.capacity_type
  disk_size_gb     = each.value.disk_size_gb
  zones            = each.value.zones
  labels           = each.value.labels
  node_count       = each.value.autoscaling == null ? each.value.node_count : null
  tags             = var.tags

  accelerator {
    type  = each.value.accelerator
    count = each.value.accelerators_per_node
  }

  dynamic "autoscaling" {
    for_each = each.value.autoscaling == null ? [] : [each.value.autoscaling]
    content {
      min = autoscaling.value.min
      max = autoscaling.value.max
    }
  }
}

# Only when gpu_pools is empty and no serving_pool is named: a small CPU pool for the
# endpoint, so that it stays off the system node group.
resource "mlcloud_node_pool" "serving" {
  count = local.serving_on_cpu ? 1 : 0

  cloud            = "aws"
  cluster_id       = mlcloud_cluster.this.id
  name             = "serving"
  location         = var.location
  node_identity_id = mlcloud_identity.node.id
  machine_type     = var.cpu_serving_machine_type
  node_count       = 1
  labels           = { workload = "serving" }
  tags             = var.tags
}

# ---------------------------------------------------------------- serving

# The model server on the serving pool, its service account bound to the workload
# role; apply ends with a real inference request unless smoke_test_enabled = false.
resource "mlcloud_serving_endpoint" "this" {
  cloud      = "aws"
  cluster_id = mlcloud_cluster.this.id
  name       = var.serving_name
  namespace  = var.serving_namespace
  image      = var.serving_image
  replicas   = var.serving_replicas
  # try(): an unknown serving_pool stops at the precondition below, not at this index.
  node_pool_id       = local.serving_on_cpu ? mlcloud_node_pool.serving[0].id : try(mlcloud_node_pool.gpu[local.serving_pool].id, null)
  identity_id        = mlcloud_identity.workload.id
  allowed_namespaces = length(var.serving_allowed_namespaces) > 0 ? var.serving_allowed_namespaces : null

  model {
    name = var.model_name
    uri  = var.model_uri
  }

  resources {
    gpu = local.serving_gpus
  }

  smoke_test {
    enabled = var.smoke_test_enabled
    timeout = var.smoke_test_timeout
  }

  lifecycle {
    precondition {
      condition     = var.serving_pool == null || contains(keys(var.gpu_pools), coalesce(var.serving_pool, "-"))
      error_message = "serving_pool must be the key of a gpu_pools entry (${join(", ", sort(keys(var.gpu_pools)))}), or null for the first GPU pool by name (a CPU pool when gpu_pools is empty)."
    }
  }
}
