output "cluster_id" {
  description = "The GKE cluster's resource name (projects/P/locations/L/clusters/C)."
  value       = mlcloud_cluster.this.id
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = mlcloud_cluster.this.endpoint
}

output "status" {
  description = "GKE's status of the cluster."
  value       = mlcloud_cluster.this.status
}

output "kms_key_ref" {
  description = "The key encrypting the cluster's secrets."
  value       = mlcloud_kms_key.secrets.key_ref
}
