# Credentials come from the ARM_* environment variables (ARM_SUBSCRIPTION_ID,
# ARM_TENANT_ID, then a client secret, certificate, OIDC token or managed identity),
# else the Azure CLI's login. The same credential gets the Entra token for the AKS
# server application that the endpoint reaches the cluster with (AKS local accounts
# are off). The endpoints stay null for real Azure; scripts/try points them at
# mlcloud-emulator's azure part and sets ARM_CA_CERTIFICATE_FILE to its test CA,
# which is the only way this module talks to an emulator.
provider "mlcloud" {
  azure {
    endpoints {
      resource_manager = var.azure_resource_manager_endpoint
      active_directory = var.azure_active_directory_endpoint
    }
  }

  default_tags = var.default_tags
}
