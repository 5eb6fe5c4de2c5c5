# A secure ML platform on Azure, from mlcloud resources only:
# Key Vault key -> control-plane and workload identities -> private AKS cluster with
# KMS etcd encryption -> GPU pools -> a serving endpoint proved by a smoke test.
# The resource group and the network are the caller's: this module only places the
# cluster in them.

locals {
  # Serving goes on the pool the caller names, else on the first GPU pool by name.
  # Without GPU pools the module adds one small CPU pool, so that the endpoint never
  # lands on the system pool (tainted CriticalAddonsOnly, for the cluster's own pods).
  serving_on_cpu = var.serving_pool == null && length(var.gpu_pools) == 0
  serving_pool   = var.serving_pool != null ? var.serving_pool : (local.serving_on_cpu ? "serving" : sort(keys(var.gpu_pools))[0])
  serving_gpus   = local.serving_on_cpu ? 0 : var.serving_gpus_per_replica

  # A public API endpoint is the one opt-in weakening of the cluster's access.
  endpoint_access = length(var.public_endpoint_cidrs) > 0 ? "public" : "private"

  # A model store grant only when the model comes from one.
  serving_grants = var.model_store_container_id == null ? [] : [
    { action = "model_store_read", target = var.model_store_container_id },
  ]
}

# ---------------------------------------------------------------- encryption

# Encrypts etcd (AKS KMS). Without key_vault_id the provider makes a dedicated vault:
# RBAC, purge protection, 90 days of soft delete, no public network access.
resource "mlcloud_kms_key" "this" {
  cloud                = "azure"
  name                 = "${var.name}-etcd"
  location             = var.location
  description          = "etcd of the ${var.name} cluster"
  rotation_period_days = var.kms_rotation_period_days
  tags                 = var.tags

  azure {
    resource_group_name = var.resource_group_name
    key_vault_id        = var.key_vault_id
  }
}

# ---------------------------------------------------------------- identities

# The AKS control plane's user-assigned identity; the cluster gives it Key Vault Crypto
# User on the key, nothing wider.
resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "${var.name}-cluster"
  location = var.location
  purpose  = "cluster"
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

# The serving endpoint's Kubernetes service account signs in as this identity
# (a federated credential on the cluster's OIDC issuer), and may read the model's
# blob container, nothing more (no grant at all when the model is in the image).
resource "mlcloud_identity" "workload" {
  cloud    = "azure"
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

  azure {
    resource_group_name = var.resource_group_name
  }
}

# ---------------------------------------------------------------- cluster

# Private API server (unless public_endpoint_cidrs), etcd encrypted with the key, OIDC
# issuer and workload identity, Azure RBAC without local accounts, a cilium network
# policy. Nodes run as the kubelet identity AKS makes (choosing one is not supported).
resource "mlcloud_cluster" "this" {
  cloud              = "azure"
  name               = var.name
  location           = var.location
  kubernetes_version = var.kubernetes_version
  endpoint_access    = local.endpoint_access
  authorized_cidrs   = local.endpoint_access == "public" ? var.public_endpoint_cidrs : null
  encryption_key_id  = mlcloud_kms_key.this.key_ref
  identity_id        = mlcloud_identity.cluster.id
  admin_principals   = var.admin_principals

  system_pool {
    machine_type = var.system_pool_machine_type
    node_count   = var.system_pool_node_count
  }

  azure {
    resource_group_name = var.resource_group_name
    subnet_id           = var.subnet_id
  }

  tags = var.tags
}

# ---------------------------------------------------------------- accelerators

# One pool per gpu_pools entry, named by its key, tainted
# nvidia.com/gpu=present:NoSchedule (the provider's default), so only pods that ask
# for GPUs land there.
resource "mlcloud_node_pool" "gpu" {
  for_each = var.gpu_pools

  cloud         = "azure"
  cluster_id    = mlcloud_cluster.this.id
  name          = each.key
  location      = var.location
  capacity_type = each.value.capacity_type
  disk_size_gb  = each.value.disk_size_gb
  zones         = each.value.zones
  labels        = each.value.labels
  node_count    = each.value.autoscaling == null ? each.value.node_count : null
  tags          = var.tags

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

  dynamic "azure" {
    for_each = each.value.gpu_driver == null ? [] : [each.value.gpu_driver]
    content {
      gpu_driver = azure.value
    }
  }
}

# Only when gpu_pools is empty and no serving_pool is named: a small CPU pool for the
# endpoint, so that it stays off the system pool.
resource "mlcloud_node_pool" "serving" {
  count = local.serving_on_cpu ? 1 : 0

  cloud        = "azure"
  cluster_id   = mlcloud_cluster.this.id
  name         = "serving"
  location     = var.location
  machine_type = var.cpu_serving_machine_type
  node_count   = 1
  labels       = { workload = "serving" }
  tags         = var.tags
}

# ---------------------------------------------------------------- serving

# The model server on the serving pool, its service account bound to the workload
# identity; apply ends with a real inference request unless smoke_test_enabled = false.
resource "mlcloud_serving_endpoint" "this" {
  cloud      = "azure"
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
