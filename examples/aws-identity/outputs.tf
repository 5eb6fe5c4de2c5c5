output "cluster_role_arn" {
  description = "Role ARN for mlcloud_cluster.identity_id."
  value       = mlcloud_identity.cluster.principal
}

output "node_role_arn" {
  description = "Role ARN for node_identity_id of the system pool and node pools."
  value       = mlcloud_identity.node.principal
}

output "workload_role_arn" {
  description = "Role ARN to annotate the service account with (eks.amazonaws.com/role-arn); null without a cluster."
  value       = one(mlcloud_identity.workload[*].principal)
}
