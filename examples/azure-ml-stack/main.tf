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

# The key for the cluster's secrets; the inference workload may decrypt with it too.
resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "${var.name}-etcd"
  location = var.location
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

# The identity the AKS control plane runs as.
resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "${var.name}-cluster"
  location = var.location
  purpose  = "cluster"
  tags     = var.tags

  azure {
    resource_group_name = var.resource_group_name
  }
}

# A private AKS cluster, its secrets encrypted with the key, workload identity on.
resource "mlcloud_cluster" "this" {
  cloud             = "azure"
  name              = var.name
  location          = var.location
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  identity_id       = mlcloud_identity.cluster.id
  tags              = var.tags

  system_pool {
    node_count = 2
  }

  azure {
    resource_group_name = var.resource_group_name
  }
}

# GPU nodes for inference, scaling to zero when idle.
resource "mlcloud_node_pool" "gpu" {
  cloud      = "azure"
  cluster_id = mlcloud_cluster.this.id
  name       = "gpu"
  location   = var.location

  accelerator {
    type = var.accelerator_type
  }

  autoscaling {
    min = 0
    max = var.max_gpu_nodes
  }

  labels = { workload = "inference" }
  tags   = var.tags
}

# The inference server's service account signs in to Azure as this identity (AKS
# workload identity) and may decrypt with the key, nothing more.
resource "mlcloud_identity" "inference" {
  cloud    = "azure"
  name     = "${var.name}-inference"
  location = var.location
  purpose  = "workload"
  tags     = var.tags

  workload {
    cluster_id      = mlcloud_cluster.this.id
    namespace       = "serving"
    service_account = "inference"
  }

  grants = [{ action = "kms_decrypt", target = mlcloud_kms_key.etcd.key_ref }]

  azure {
    resource_group_name = var.resource_group_name
  }
}
