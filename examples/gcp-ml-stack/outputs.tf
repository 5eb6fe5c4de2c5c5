output "cluster_id" {
  description = "The GKE cluster's resource name."
  value       = mlcloud_cluster.this.id
}

output "cluster_endpoint" {
  description = "The Kubernetes API server URL."
  value       = mlcloud_cluster.this.endpoint
}

output "kms_key_ref" {
  description = "The key encrypting the cluster's secrets."
  value       = mlcloud_kms_key.secrets.key_ref
}

output "inference_service_account" {
  description = "Annotate the inference Kubernetes service account with it (iam.gke.io/gcp-service-account)."
  value       = mlcloud_identity.inference.principal
}

output "gpu_machine_type" {
  description = "The machine type of the GPU nodes, chosen by the catalog."
  value       = mlcloud_node_pool.gpu.resolved_machine_type
}

output "tpu_machine_type" {
  description = "The machine type of the TPU slice's VMs."
  value       = mlcloud_node_pool.tpu.resolved_machine_type
}

output "tpu_pool_id" {
  description = "The TPU slice's node pool resource name."
  value       = mlcloud_node_pool.tpu.id
}
