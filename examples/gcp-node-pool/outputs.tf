output "node_pool_id" {
  description = "The node pool's resource name."
  value       = mlcloud_node_pool.gpu.id
}

output "resolved_machine_type" {
  description = "The machine type the catalog chose for the accelerator."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}

output "accelerators_per_node" {
  description = "GPUs on each node."
  value       = mlcloud_node_pool.gpu.accelerators_per_node
}

output "taints" {
  description = "The taints of the nodes (the GPU taint unless set)."
  value       = mlcloud_node_pool.gpu.taints
}
