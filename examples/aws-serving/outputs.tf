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

output "serving_role_arn" {
  description = "The IAM role the model server acts as."
  value       = mlcloud_identity.serving.principal
}
