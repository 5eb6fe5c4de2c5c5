# ---------------------------------------------------------------- encryption

# Encrypts the cluster's Kubernetes secrets; the inference workload may decrypt with it.
resource "mlcloud_kms_key" "secrets" {
  cloud                = "gcp"
  name                 = "${var.name}-secrets"
  rotation_period_days = 90
  tags                 = var.tags
}

# ---------------------------------------------------------------- identities

# GKE clusters have no identity of their own: this service account is for the team's
# own tooling (CI, operators), kept with the stack.
resource "mlcloud_identity" "cluster" {
  cloud   = "gcp"
  name    = "${var.name}-cluster"
  purpose = "cluster"
  tags    = var.tags
}

resource "mlcloud_identity" "node" {
  cloud   = "gcp"
  name    = "${var.name}-nodes"
  purpose = "node"
  tags    = var.tags
}

# The inference service account: Workload Identity lets the Kubernetes service account
# act as it (roles/iam.workloadIdentityUser for PROJECT.svc.id.goog[ns/sa]); it may
# decrypt with the key, nothing more.
resource "mlcloud_identity" "inference" {
  cloud   = "gcp"
  name    = "${var.name}-inference"
  purpose = "workload"

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.serving_namespace
    service_account = var.serving_service_account
  }

  grants = [
    { action = "kms_decrypt", target = mlcloud_kms_key.secrets.key_ref },
  ]
}

# ---------------------------------------------------------------- cluster

resource "mlcloud_cluster" "this" {
  cloud             = "gcp"
  name              = var.name
  encryption_key_id = mlcloud_kms_key.secrets.key_ref

  system_pool {
    node_count       = 1
    node_identity_id = mlcloud_identity.node.id
  }

  tags = var.tags
}

# ---------------------------------------------------------------- accelerators

# Tainted nvidia.com/gpu=present:NoSchedule: only GPU workloads are scheduled here.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "gcp"
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

# A multi-host TPU slice: the topology's chips over the chips per VM give the node
# count (tpu-v5e 2x4 on 4-chip ct5lp-hightpu-4t VMs: two nodes), placed COMPACT.
resource "mlcloud_node_pool" "tpu" {
  cloud      = "gcp"
  cluster_id = mlcloud_cluster.this.id
  name       = "tpu"

  accelerator {
    type  = "tpu-v5e"
    count = 4
  }

  tpu {
    topology = "2x4"
  }

  # 2x4 chips on 4-chip VMs: the node count follows from the topology.
  node_count = 2

  labels           = { workload = "training" }
  node_identity_id = mlcloud_identity.node.id
  tags             = var.tags
}
