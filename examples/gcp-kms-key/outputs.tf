output "key_ref" {
  description = "The crypto key's resource name: what mlcloud_cluster.encryption_key_id and kms_decrypt grants take."
  value       = mlcloud_kms_key.this.key_ref
}

output "tags_all" {
  description = "The labels the key carries: its own over the default tags."
  value       = mlcloud_kms_key.this.tags_all
}
