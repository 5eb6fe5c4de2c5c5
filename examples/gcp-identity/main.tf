# Service accounts for a GKE cluster. The node identity gets only the logging and
# monitoring writer roles on the project: nodes never run as the default compute
# service account.
resource "mlcloud_identity" "node" {
  cloud   = "gcp"
  name    = "${var.name_prefix}-nodes"
  purpose = "node"
  tags    = var.tags
}

resource "mlcloud_identity" "cluster" {
  cloud   = "gcp"
  name    = "${var.name_prefix}-cluster"
  purpose = "cluster"
  tags    = var.tags
}

# A workload's service account that may decrypt with the given keys
# (roles/cloudkms.cryptoKeyDecrypter on each key, nothing on the project).
resource "mlcloud_identity" "reader" {
  cloud   = "gcp"
  name    = "${var.name_prefix}-reader"
  purpose = "workload"
  grants  = [for key in var.kms_decrypt_key_refs : { action = "kms_decrypt", target = key }]
  tags    = var.tags
}
