# What the endpoint needs: a cluster (with its key and its control plane's identity),
# a pool to run on, and the managed identity the model server signs in to Azure as.

resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "${var.cluster_name}-etcd"
  location = var.location
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "${var.cluster_name}-cluster"
  location = var.location
  purpose  = "cluster"
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

resource "mlcloud_cluster" "this" {
  cloud             = "azure"
  name              = var.cluster_name
  location          = var.location
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  identity_id       = mlcloud_identity.cluster.id
  tags              = var.tags

  system_pool {
    node_count = 1
  }

  azure {
    resource_group_name = var.resource_group_name
  }
}

# The pool the model server runs on: one NVIDIA T4 node, tainted nvidia.com/gpu, with
# the NVIDIA device plugin the pool brings (AKS GPU nodes do not run it by themselves;
# without it no GPU is allocatable).
resource "mlcloud_node_pool" "serving" {
  cloud      = "azure"
  cluster_id = mlcloud_cluster.this.id
  name       = "serving"
  location   = var.location
  node_count = 1
  tags       = var.tags

  accelerator {
    type = var.accelerator_type
  }
}

# The model server's managed identity: a federated credential lets the Kubernetes
# service account namespace/name of the endpoint sign in as it (AKS workload
# identity), and nothing else.
resource "mlcloud_identity" "serving" {
  cloud    = "azure"
  name     = "${var.cluster_name}-${var.endpoint_name}"
  location = var.location
  purpose  = "workload"
  tags     = var.tags

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = var.namespace
    service_account = var.endpoint_name
  }

  azure {
    resource_group_name = var.resource_group_name
  }
}
