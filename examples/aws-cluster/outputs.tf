output "cluster_id" {
  description = "The cluster ARN: what node pools and workload identities take as cluster_id."
  value       = mlcloud_cluster.this.id
}

output "endpoint" {
  description = "The Kubernetes API server URL."
  value       = mlcloud_cluster.this.endpoint
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, trusted by workload identities."
  value       = mlcloud_cluster.this.oidc_issuer_url
}

output "node_role_arn" {
  description = "The nodes' role, for more node pools."
  value       = mlcloud_identity.node.principal
}

output "kms_key_arn" {
  description = "The key encrypting the cluster's secrets."
  value       = mlcloud_kms_key.secrets.key_ref
}
