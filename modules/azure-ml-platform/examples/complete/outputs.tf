output "cluster_id" {
  description = "The AKS cluster's ARM id."
  value       = module.ml_platform.cluster_id
}

output "serving_internal_url" {
  description = "The model's URL inside the cluster."
  value       = module.ml_platform.serving_internal_url
}

output "smoke_test_result" {
  description = "The inference request made at apply."
  value       = module.ml_platform.smoke_test_result
}
