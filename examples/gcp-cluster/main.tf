# The key for the cluster's Kubernetes secrets. Setting encryption_key_id also binds
# the project's GKE service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it,
# before the cluster is created: GKE refuses database encryption otherwise.
resource "mlcloud_kms_key" "secrets" {
  cloud = "gcp"
  name  = "${var.cluster_name}-secrets"
  tags  = var.tags
}

resource "mlcloud_identity" "node" {
  cloud   = "gcp"
  name    = "${var.cluster_name}-nodes"
  purpose = "node"
  tags    = var.tags
}

# GKE with private nodes and a private endpoint (control plane range 172.16.0.0/28 on
# the default network), Workload Identity, shielded nodes and a system pool running as
# the node identity. A gcp { network, subnetwork, master_ipv4_cidr_block } block would
# choose others.
resource "mlcloud_cluster" "this" {
  cloud             = "gcp"
  name              = var.cluster_name
  endpoint_access   = var.endpoint_access
  authorized_cidrs  = length(var.authorized_cidrs) > 0 ? var.authorized_cidrs : null
  encryption_key_id = mlcloud_kms_key.secrets.key_ref

  system_pool {
    node_count       = var.system_node_count
    node_identity_id = mlcloud_identity.node.id
  }

  tags = var.tags
}
