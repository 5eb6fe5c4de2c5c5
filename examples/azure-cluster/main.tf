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

# A private AKS cluster: secrets encrypted with the key (AKS KMS, reaching the key's
# private vault with keyVaultNetworkAccess = Private), the OIDC issuer and workload
# identity on, local accounts off (Azure RBAC for Kubernetes authorization), a network
# policy, the control plane running as the cluster identity, and a system pool tainted
# CriticalAddonsOnly so only system pods land there.
resource "mlcloud_cluster" "this" {
  cloud              = "azure"
  name               = var.cluster_name
  location           = var.location
  kubernetes_version = var.kubernetes_version
  encryption_key_id  = mlcloud_kms_key.etcd.key_ref
  identity_id        = mlcloud_identity.cluster.id
  tags               = var.tags

  system_pool {
    node_count = var.system_node_count
  }

  azure {
    resource_group_name = var.resource_group_name
  }
}
