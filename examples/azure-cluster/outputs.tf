output "cluster_id" {
  description = "The cluster's ARM id: what node pools and workload identities take."
  value       = mlcloud_cluster.this.id
}

output "endpoint" {
  description = "The API server (its private FQDN)."
  value       = mlcloud_cluster.this.endpoint
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, trusted by workload identities."
  value       = mlcloud_cluster.this.oidc_issuer_url
}

output "kubernetes_version" {
  description = "The Kubernetes version the cluster runs."
  value       = mlcloud_cluster.this.kubernetes_version
}
