output "key_ref" {
  description = "The crypto key's resource name."
  value       = mlcloud_kms_key.data.key_ref
}

output "reader" {
  description = "The email of the service account that may decrypt with the key."
  value       = mlcloud_identity.reader.principal
}
