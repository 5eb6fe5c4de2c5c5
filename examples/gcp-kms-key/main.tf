# The key that encrypts the cluster's Kubernetes secrets. On Google Cloud: an
# ENCRYPT_DECRYPT crypto key in its key ring (created if missing and never deleted:
# Cloud KMS cannot delete key rings), rotated every rotation_period_days.
resource "mlcloud_kms_key" "this" {
  cloud                = "gcp"
  name                 = var.name
  rotation_period_days = var.rotation_period_days
  deletion_window_days = var.deletion_window_days
  tags                 = var.tags

  gcp {
    key_ring         = var.key_ring
    protection_level = var.protection_level
  }
}
