# What the cluster needs first: the key for its secrets and the identity its control
# plane runs as (the cluster gives that identity Key Vault Crypto User on the key).

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
