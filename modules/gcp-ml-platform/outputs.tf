output "cluster_id" {
  description = "The GKE cluster's resource name (`projects/P/locations/L/clusters/NAME`)."
  value       = mlcloud_cluster.this.id
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL (private unless public_endpoint_cidrs is set)."
  value       = mlcloud_cluster.this.endpoint
}

output "cluster_ca_certificate" {
  description = "The cluster's CA certificate (base64 PEM)."
  value       = mlcloud_cluster.this.ca_certificate
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, which workload identities trust."
  value       = mlcloud_cluster.this.oidc_issuer_url
}

output "kms_key_ref" {
  description = "The Cloud KMS crypto key encrypting the cluster's secrets and node disks."
  value       = mlcloud_kms_key.this.key_ref
}

output "identities" {
  description = "The node and workload identities: each `{ id, principal }` (principal: the service account's email)."
  value = {
    node     = { id = mlcloud_identity.node.id, principal = mlcloud_identity.node.principal }
    workload = { id = mlcloud_identity.workload.id, principal = mlcloud_identity.workload.principal }
  }
}

output "node_pools" {
  description = "Every node pool this module made, by name: `{ id, machine_type, accelerators_per_node }`."
  value = {
    for name, pool in merge(mlcloud_node_pool.gpu, mlcloud_node_pool.tpu, { for p in mlcloud_node_pool.serving : p.name => p }) :
    name => {
      id                    = pool.id
      machine_type          = pool.resolved_machine_type
      accelerators_per_node = pool.accelerators_per_node
    }
  }
}

output "serving_pool" {
  description = "The name of the node pool the serving endpoint runs on."
  value       = local.serving_pool
}

output "serving_endpoint_id" {
  description = "The serving endpoint's id (`CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME`)."
  value       = mlcloud_serving_endpoint.this.id
}

output "serving_internal_url" {
  description = "The URL callers inside the cluster use: `http://NAME.NAMESPACE.svc.cluster.local:PORT`."
  value       = mlcloud_serving_endpoint.this.internal_url
}

output "smoke_test_result" {
  description = "The inference request made at apply: `passed`, `latency_ms`, `device`, `model`, `answer`, `checked_at`. Null when smoke_test_enabled is false."
  value       = mlcloud_serving_endpoint.this.smoke_test_result
}
