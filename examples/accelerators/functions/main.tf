provider "mlcloud" {}

# machine_type(cloud, accelerator, count) picks the smallest machine type with exactly
# `count` accelerators per node: handy for a node pool's explicit machine_type.
locals {
  aws_h100_node = provider::mlcloud::machine_type("aws", "nvidia-h100-80gb", 8)
  gcp_l4_node   = provider::mlcloud::machine_type("gcp", "nvidia-l4", 1)
}
