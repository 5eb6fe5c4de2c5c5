output "endpoint_id" {
  description = "CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME; import by it."
  value       = mlcloud_serving_endpoint.this.id
}

output "internal_url" {
  description = "The URL callers inside the cluster use."
  value       = mlcloud_serving_endpoint.this.internal_url
}

output "smoke_test_result" {
  description = "The inference request at apply: passed, latency_ms, device, model, answer, checked_at."
  value       = mlcloud_serving_endpoint.this.smoke_test_result
}

output "gpu_machine_type" {
  description = "The machine type the catalog chose for the GPU pool."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}
