output "aws_h100_node" {
  description = "The AWS instance type with eight NVIDIA H100 80GB GPUs."
  value       = local.aws_h100_node
}

output "gcp_l4_node" {
  description = "The smallest Google Cloud machine type with one NVIDIA L4 GPU."
  value       = local.gcp_l4_node
}
