output "key_ref" {
  description = "The versionless key URI: what mlcloud_cluster.encryption_key_id and kms_decrypt grants take."
  value       = mlcloud_kms_key.this.key_ref
}

output "key_id" {
  description = "The key's ARM id (import by it)."
  value       = mlcloud_kms_key.this.id
}

output "tags_all" {
  description = "The tags the key carries: its own over the default tags."
  value       = mlcloud_kms_key.this.tags_all
}
