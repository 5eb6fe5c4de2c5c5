output "cluster_id" {
  description = "The AKS cluster's ARM id."
  value       = mlcloud_cluster.this.id
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, which the inference identity trusts."
  value       = mlcloud_cluster.this.oidc_issuer_url
}

output "gpu_machine_type" {
  description = "The VM size of the GPU pool, resolved from the accelerator."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}

output "inference_client_id" {
  description = "Annotate the inference service account with azure.workload.identity/client-id = this."
  value       = mlcloud_identity.inference.client_id
}
