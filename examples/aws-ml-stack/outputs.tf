output "cluster_id" {
  description = "The EKS cluster ARN."
  value       = mlcloud_cluster.this.id
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = mlcloud_cluster.this.endpoint
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, trusted by the inference role."
  value       = mlcloud_cluster.this.oidc_issuer_url
}

output "kms_key_arn" {
  description = "The key encrypting the cluster's secrets."
  value       = mlcloud_kms_key.secrets.key_ref
}

output "inference_role_arn" {
  description = "Annotate the inference service account with it (eks.amazonaws.com/role-arn)."
  value       = mlcloud_identity.inference.principal
}

output "gpu_machine_type" {
  description = "The instance type of the GPU nodes, chosen by the catalog."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}

output "gpu_pool_id" {
  description = "The GPU node group ARN."
  value       = mlcloud_node_pool.gpu.id
}
