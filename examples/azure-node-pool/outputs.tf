output "node_pool_id" {
  description = "The agent pool's ARM id (import by it)."
  value       = mlcloud_node_pool.gpu.id
}

output "resolved_machine_type" {
  description = "The VM size the catalog picked for the accelerator."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}

output "accelerators_per_node" {
  description = "GPUs per node."
  value       = mlcloud_node_pool.gpu.accelerators_per_node
}
