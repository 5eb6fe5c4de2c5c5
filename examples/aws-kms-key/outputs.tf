output "key_arn" {
  description = "The key ARN: what mlcloud_cluster.encryption_key_id and kms_decrypt grants take."
  value       = mlcloud_kms_key.this.key_ref
}

output "alias" {
  description = "The key's alias."
  value       = "alias/${mlcloud_kms_key.this.name}"
}

output "tags_all" {
  description = "The tags the key carries: its own over the default tags."
  value       = mlcloud_kms_key.this.tags_all
}
