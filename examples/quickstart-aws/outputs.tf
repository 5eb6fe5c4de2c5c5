output "cluster_id" {
  description = "The EKS cluster's ARN."
  value       = module.ml_platform.cluster_id
}

output "serving_internal_url" {
  description = "The model's URL inside the cluster."
  value       = module.ml_platform.serving_internal_url
}

output "smoke_test_result" {
  description = "The inference request made at apply: passed, latency_ms, device, model, answer."
  value       = module.ml_platform.smoke_test_result
}
