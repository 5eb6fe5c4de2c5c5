# Every input of the module, at a value a production platform might choose. The
# provider block talks to Azure unless the endpoints name an emulator (mlcloud-emulator's
# azure part), which is the only way this example reaches one. Credentials come from
# the ARM_* environment variables or the Azure CLI's login.

provider "mlcloud" {
  azure {
    endpoints {
      resource_manager = var.azure_resource_manager_endpoint
      active_directory = var.azure_active_directory_endpoint
    }
  }

  default_tags = { managed-by = "terraform" }
}

module "ml_platform" {
  source = "../.."

  name                = "ml-prod"
  resource_group_name = "ml-platform"
  location            = "westeurope"

  # The network is the platform team's own.
  subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"

  # A weakening, by name: an API server reachable from the office network only.
  public_endpoint_cidrs = ["203.0.113.0/24"]

  kubernetes_version       = "1.31"
  admin_principals         = ["6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c"]
  system_pool_machine_type = "Standard_D4ds_v5"
  system_pool_node_count   = 3

  key_vault_id             = null # a dedicated, private vault for the key
  kms_rotation_period_days = 90

  gpu_pools = {
    t4 = {
      accelerator   = "nvidia-t4"
      autoscaling   = { min = 1, max = 4 }
      capacity_type = "spot"
      disk_size_gb  = 200
      labels        = { workload = "inference" }
      gpu_driver    = "Install"
    }
    h100 = {
      accelerator           = "nvidia-h100-80gb"
      accelerators_per_node = 8
      node_count            = 1
      zones                 = ["1"]
      labels                = { workload = "training" }
    }
  }
  cpu_serving_machine_type = "Standard_D4ds_v5"

  serving_pool               = "t4"
  serving_name               = "iris"
  serving_namespace          = "ml-serving"
  serving_image              = null # the provider's bundled smoke-test image
  serving_replicas           = 2
  serving_gpus_per_replica   = 1
  serving_allowed_namespaces = ["ml-clients"]
  model_name                 = "iris"
  model_uri                  = null # the model inside the image
  model_store_container_id   = null # and so no model store grant
  smoke_test_enabled         = true
  smoke_test_timeout         = "10m"

  tags = { team = "ml-platform", env = "prod" }
}
