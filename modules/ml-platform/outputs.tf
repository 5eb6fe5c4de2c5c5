# Each output is the chosen cloud module's (the others have no instance). try() takes
# the one that exists: the modules' outputs share names, not always types (identities).

output "cluster_id" {
  description = "The cluster's id: an EKS ARN, an AKS ARM id, or a GKE resource name."
  value       = try(module.aws[0].cluster_id, module.azure[0].cluster_id, module.gcp[0].cluster_id)
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL (private unless public_endpoint_cidrs is set)."
  value       = try(module.aws[0].cluster_endpoint, module.azure[0].cluster_endpoint, module.gcp[0].cluster_endpoint)
}

output "cluster_ca_certificate" {
  description = "The cluster's CA certificate (base64 PEM)."
  value       = try(module.aws[0].cluster_ca_certificate, module.azure[0].cluster_ca_certificate, module.gcp[0].cluster_ca_certificate)
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, which workload identities trust."
  value       = try(module.aws[0].oidc_issuer_url, module.azure[0].oidc_issuer_url, module.gcp[0].oidc_issuer_url)
}

output "kms_key_ref" {
  description = "The key encrypting the cluster's secrets: a KMS key ARN, a Key Vault key URI, or a Cloud KMS crypto key name."
  value       = try(module.aws[0].kms_key_ref, module.azure[0].kms_key_ref, module.gcp[0].kms_key_ref)
}

output "identities" {
  description = "The platform's identities by role, each `{ id, principal }` (azure adds `client_id`): aws cluster, node, workload; azure cluster, workload; gcp node, workload."
  value       = try(module.aws[0].identities, module.azure[0].identities, module.gcp[0].identities)
}

output "node_pools" {
  description = "Every node pool the platform made, by name: `{ id, machine_type, accelerators_per_node }`."
  value       = try(module.aws[0].node_pools, module.azure[0].node_pools, module.gcp[0].node_pools)
}

output "serving_pool" {
  description = "The name of the node pool the serving endpoint runs on."
  value       = try(module.aws[0].serving_pool, module.azure[0].serving_pool, module.gcp[0].serving_pool)
}

output "serving_endpoint_id" {
  description = "The serving endpoint's id (`CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME`)."
  value       = try(module.aws[0].serving_endpoint_id, module.azure[0].serving_endpoint_id, module.gcp[0].serving_endpoint_id)
}

output "serving_internal_url" {
  description = "The URL callers inside the cluster use: `http://NAME.NAMESPACE.svc.cluster.local:PORT`."
  value       = try(module.aws[0].serving_internal_url, module.azure[0].serving_internal_url, module.gcp[0].serving_internal_url)
}

output "smoke_test_result" {
  description = "The inference request made at apply: `passed`, `latency_ms`, `device`, `model`, `answer`, `checked_at`. Null when smoke_test_enabled is false."
  value       = try(module.aws[0].smoke_test_result, module.azure[0].smoke_test_result, module.gcp[0].smoke_test_result)
}
