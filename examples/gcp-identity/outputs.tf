output "node_service_account" {
  description = "The nodes' service account email: system_pool.node_identity_id and node pools take the identity's id."
  value       = mlcloud_identity.node.principal
}

output "node_identity_id" {
  description = "The node identity's id (its service account resource name)."
  value       = mlcloud_identity.node.id
}

output "cluster_service_account" {
  description = "The cluster identity's service account email."
  value       = mlcloud_identity.cluster.principal
}
