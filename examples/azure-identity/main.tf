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

# The identity AKS runs the control plane as: a user-assigned managed identity, which
# an mlcloud_cluster names in identity_id. A cluster with encryption_key_id gives it
# Key Vault Crypto User on the key itself.
resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "${var.name_prefix}-cluster"
  location = var.location
  purpose  = "cluster"
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

# The identity of one Kubernetes service account (AKS workload identity): a
# user-assigned identity with a federated credential trusting
# system:serviceaccount:<namespace>:<service_account> on the cluster's OIDC issuer, and
# each grant a role assignment on exactly the resource it names. Created once a
# cluster is given.
resource "mlcloud_identity" "workload" {
  count = var.cluster_id == null ? 0 : 1

  cloud    = "azure"
  name     = "${var.name_prefix}-${var.service_account}"
  location = var.location
  purpose  = "workload"
  tags     = var.tags

  workload {
    cluster_id      = var.cluster_id
    namespace       = var.namespace
    service_account = var.service_account
  }

  grants = [for key in var.decrypt_key_refs : { action = "kms_decrypt", target = key }]

  azure {
    resource_group_name = var.resource_group_name
  }
}
