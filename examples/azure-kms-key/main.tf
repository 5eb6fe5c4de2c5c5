# Credentials come from the ARM_* environment variables (ARM_SUBSCRIPTION_ID,
# ARM_TENANT_ID, then a client secret, certificate, OIDC token or managed identity),
# else the Azure CLI's login. The endpoints stay null for real Azure; scripts/try
# points them at mlcloud-emulator's azure part and sets ARM_CA_CERTIFICATE_FILE to its
# test CA, which is the only way this module talks to an emulator.
provider "mlcloud" {
  azure {
    endpoints {
      resource_manager = var.azure_resource_manager_endpoint
      active_directory = var.azure_active_directory_endpoint
    }
  }

  default_tags = var.default_tags
}

# The key that encrypts the cluster's Kubernetes secrets (AKS KMS etcd encryption). On
# Azure: an RSA key in a Key Vault made for it (RBAC authorization, purge protection,
# 90 days of soft delete, public network access off), rotated every
# rotation_period_days by Key Vault's rotation policy.
resource "mlcloud_kms_key" "this" {
  cloud                = "azure"
  name                 = var.name
  location             = var.location
  rotation_period_days = var.rotation_period_days
  tags                 = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}
