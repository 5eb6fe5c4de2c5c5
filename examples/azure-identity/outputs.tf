output "cluster_identity_id" {
  description = "The cluster identity's ARM id: what mlcloud_cluster.identity_id takes."
  value       = mlcloud_identity.cluster.id
}

output "cluster_identity_principal" {
  description = "The cluster identity's principal (object) id, as role assignments name it."
  value       = mlcloud_identity.cluster.principal
}

output "workload_client_id" {
  description = "The workload identity's client id (the service account's azure.workload.identity/client-id annotation); null without a cluster."
  value       = one(mlcloud_identity.workload[*].client_id)
}
