# The accelerator catalog ships inside the provider: no cloud block, no credentials.
provider "mlcloud" {}

locals {
  clouds = toset(["aws", "azure", "gcp"])
}

# Where each cloud offers NVIDIA H100 80GB GPUs.
data "mlcloud_accelerators" "h100" {
  for_each = local.clouds

  cloud = each.key
  type  = "nvidia-h100-80gb"
}

# NVIDIA L4 on Google Cloud: many machine sizes, from one GPU per VM to eight.
data "mlcloud_accelerators" "gcp_l4" {
  cloud = "gcp"
  type  = "nvidia-l4"
}
