# A secure ML platform on Google Cloud, from mlcloud resources only:
# KMS key -> node and workload identities -> private, encrypted GKE cluster with every
# control-plane log -> GPU and TPU pools -> a serving endpoint proved by a smoke test.
# The network is the caller's: this module only places the cluster in it.

locals {
  # Serving goes on the pool the caller names, else on the first GPU pool by name.
  # Without GPU pools the module adds one small CPU pool, so that the endpoint never
  # lands on the system pool (whose nodes run DNS and the cluster's controllers).
  serving_on_cpu = var.serving_pool == null && length(var.gpu_pools) == 0
  serving_pool   = var.serving_pool != null ? var.serving_pool : (local.serving_on_cpu ? "serving" : sort(keys(var.gpu_pools))[0])
  serving_gpus   = local.serving_on_cpu ? 0 : var.serving_gpus_per_replica

  # A public API endpoint is the one opt-in weakening of the cluster's access.
  endpoint_access = length(var.public_endpoint_cidrs) > 0 ? "public" : "private"

  # The provider reads a gcp {} setting that equals its own default back as null, and
  # Terraform then calls the apply inconsistent (README: "Known gcp gaps", issue 13).
  # Such a value is passed as null, which the provider takes as that same default.
  kms_protection_level   = var.kms_protection_level == "HSM" ? null : var.kms_protection_level
  network                = var.network == "default" ? null : var.network
  subnetwork             = var.subnetwork == "default" ? null : var.subnetwork
  master_ipv4_cidr_block = var.master_ipv4_cidr_block == "172.16.0.0/28" ? null : var.master_ipv4_cidr_block

  # A model store grant only when the model comes from one.
  serving_grants = var.model_uri == null ? [] : [
    { action = "model_store_read", target = var.model_uri },
  ]
}

# ---------------------------------------------------------------- encryption

# Encrypts the cluster's Kubernetes secrets (GKE application-layer encryption) and,
# through the pools' default, the nodes' boot disks.
resource "mlcloud_kms_key" "this" {
  cloud                = "gcp"
  name                 = "${var.name}-etcd"
  location             = var.location
  description          = "Kubernetes secrets and node disks of the ${var.name} cluster"
  rotation_period_days = var.kms_rotation_period_days
  deletion_window_days = var.kms_deletion_window_days
  tags                 = var.tags

  gcp {
    project          = var.project
    protection_level = local.kms_protection_level
  }
}

# ---------------------------------------------------------------- identities

# What every node runs as (never the default compute service account); the provider
# gives it the node baseline only: writing logs and metrics, reading images.
resource "mlcloud_identity" "node" {
  cloud    = "gcp"
  name     = "${var.name}-nodes"
  location = var.location
  purpose  = "node"
  tags     = var.tags

  gcp {
    project = var.project
  }
}

# The serving endpoint's Kubernetes service account acts as this service account
# through Workload Identity, and may read the model's prefix of the model store,
# nothing more (no grant at all when the model is in the image).
resource "mlcloud_identity" "workload" {
  cloud    = "gcp"
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

  gcp {
    project = var.project
  }
}

# ---------------------------------------------------------------- cluster

# Private nodes and (unless public_endpoint_cidrs) a private endpoint, secrets
# encrypted with the key, Workload Identity, shielded nodes, every control-plane log.
resource "mlcloud_cluster" "this" {
  cloud              = "gcp"
  name               = var.name
  location           = var.location
  kubernetes_version = var.kubernetes_version
  endpoint_access    = local.endpoint_access
  authorized_cidrs   = local.endpoint_access == "public" ? var.public_endpoint_cidrs : null
  encryption_key_id  = mlcloud_kms_key.this.key_ref
  admin_principals   = var.admin_principals
  logging            = var.control_plane_log_types

  system_pool {
    machine_type     = var.system_pool_machine_type
    node_count       = var.system_pool_node_count
    node_identity_id = mlcloud_identity.node.id
  }

  gcp {
    project                = var.project
    network                = local.network
    subnetwork             = local.subnetwork
    master_ipv4_cidr_block = local.master_ipv4_cidr_block
  }

  tags = var.tags
}

# ---------------------------------------------------------------- accelerators

# One pool per gpu_pools entry, named by its key. GPU pools carry the
# nvidia.com/gpu=present:NoSchedule taint (the provider's default), so only pods that
# ask for GPUs land there.
resource "mlcloud_node_pool" "gpu" {
  for_each = var.gpu_pools

  cloud            = "gcp"
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

  dynamic "gcp" {
    for_each = each.value.gpu_driver_version == null ? [] : [each.value.gpu_driver_version]
    content {
      gpu_driver_version = gcp.value
    }
  }
}

# One TPU slice per tpu_pools entry, tainted google.com/tpu by default. The node count
# is the topology's chips over the chips per VM (2x4 on 4-chip VMs: 2 nodes).
resource "mlcloud_node_pool" "tpu" {
  for_each = var.tpu_pools

  cloud            = "gcp"
  cluster_id       = mlcloud_cluster.this.id
  name             = each.key
  location         = var.location
  node_identity_id = mlcloud_identity.node.id
  capacity_type    = each.value.capacity_type
  labels           = each.value.labels
  node_count       = each.value.node_count
  tags             = var.tags

  accelerator {
    type  = each.value.accelerator
    count = each.value.chips_per_node
  }

  tpu {
    topology = each.value.topology
  }

  lifecycle {
    precondition {
      condition     = !contains(keys(var.gpu_pools), each.key)
      error_message = "The TPU pool \"${each.key}\" has the name of a GPU pool: a cluster's pool names are unique, rename one of them."
    }
  }
}

# Only when gpu_pools is empty and no serving_pool is named: a small CPU pool for the
# endpoint, so that it stays off the system pool.
resource "mlcloud_node_pool" "serving" {
  count = local.serving_on_cpu ? 1 : 0

  cloud            = "gcp"
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
# identity; apply ends with a real inference request unless smoke_test_enabled = false.
resource "mlcloud_serving_endpoint" "this" {
  cloud      = "gcp"
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
