# The key that encrypts the cluster's Kubernetes secrets. On Google Cloud: an
# ENCRYPT_DECRYPT crypto key in the key ring <name>-ring (created if missing and never
# deleted: Cloud KMS cannot delete key rings), HSM-protected, rotated every
# rotation_period_days. A gcp { key_ring, protection_level } block would choose others.
resource "mlcloud_kms_key" "this" {
  cloud                = "gcp"
  name                 = var.name
  rotation_period_days = var.rotation_period_days
  deletion_window_days = var.deletion_window_days
  tags                 = var.tags
}
