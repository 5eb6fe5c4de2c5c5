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
