# The cluster the pool joins, with its key and control-plane identity.

resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "${var.cluster_name}-etcd"
  location = var.location

  azure {
    resource_group_name = var.resource_group_name
  }
}

resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "${var.cluster_name}-cluster"
  location = var.location
  purpose  = "cluster"

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

  system_pool {
    node_count = 1
  }

  azure {
    resource_group_name = var.resource_group_name
  }
}
