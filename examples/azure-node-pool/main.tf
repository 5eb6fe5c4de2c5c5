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

# A GPU agent pool. The accelerator is resolved through the provider's catalog to a VM
# size (nvidia-t4 x1: Standard_NC4as_T4_v3) and AKS installs the NVIDIA driver; the
# nodes get the taint nvidia.com/gpu=present:NoSchedule, so only pods that tolerate it
# land there. Spot pools are evicted by deletion, at up to the on-demand price.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "azure"
  cluster_id = mlcloud_cluster.this.id
  name       = var.pool_name
  location   = var.location

  accelerator {
    type  = var.accelerator_type
    count = var.accelerators_per_node
  }

  autoscaling {
    min = var.min_nodes
    max = var.max_nodes
  }

  capacity_type = var.capacity_type
  labels        = var.labels
  disk_size_gb  = var.disk_size_gb
  tags          = var.tags
}
