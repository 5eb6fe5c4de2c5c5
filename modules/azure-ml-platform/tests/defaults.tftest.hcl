# Plans only: the defaults are the secure values, and each weakening is what its
# input's name says, nothing more. Against mlcloud-emulator's azure part.

# The emulator's ARM and Entra endpoints, its test CA and the credentials it printed:
# the runner passes them (-var or TF_VAR_*; README: Tests). The resource group
# ml-platform must exist.
variable "azure_resource_manager" {
  type = string
}

variable "azure_active_directory" {
  type = string
}

variable "azure_ca_file" {
  type = string
}

variable "azure_subscription_id" {
  type = string
}

variable "azure_tenant_id" {
  type = string
}

variable "azure_client_id" {
  type = string
}

variable "azure_client_secret" {
  type = string
}

provider "mlcloud" {
  azure {
    subscription_id     = var.azure_subscription_id
    tenant_id           = var.azure_tenant_id
    client_id           = var.azure_client_id
    client_secret       = var.azure_client_secret
    ca_certificate_file = var.azure_ca_file

    endpoints {
      resource_manager = var.azure_resource_manager
      active_directory = var.azure_active_directory
    }

    retry {
      max_backoff_seconds = 2
    }
  }
}

variables {
  name                = "mlp-plan"
  resource_group_name = "ml-platform"
  location            = "westeurope"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
  gpu_pools = {
    t4   = { accelerator = "nvidia-t4", autoscaling = { min = 0, max = 3 } }
    a100 = { accelerator = "nvidia-a100-80gb" }
  }
}

run "the_defaults_are_the_secure_values" {
  command = plan

  assert {
    condition     = mlcloud_cluster.this.endpoint_access == "private" && mlcloud_cluster.this.authorized_cidrs == null
    error_message = "The API endpoint is not private by default."
  }

  assert {
    condition     = mlcloud_cluster.this.azure.subnet_id == var.subnet_id && mlcloud_cluster.this.azure.resource_group_name == "ml-platform"
    error_message = "The cluster is not placed in the caller's subnet and resource group."
  }

  assert {
    condition     = mlcloud_kms_key.this.rotation_period_days == 90 && mlcloud_kms_key.this.azure.key_vault_id == null
    error_message = "The key is not rotated every 90 days in a dedicated vault."
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.smoke_test.enabled == true
    error_message = "The smoke test is not on by default."
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 0
    error_message = "The workload identity gets grants although the model is in the image."
  }

  # The first GPU pool by name serves, one GPU a pod; an autoscaled pool has no fixed size.
  assert {
    condition     = output.serving_pool == "a100" && mlcloud_serving_endpoint.this.resources.gpu == 1
    error_message = "The endpoint is not on the first GPU pool by name: ${output.serving_pool}"
  }

  assert {
    condition     = mlcloud_node_pool.gpu["t4"].node_count == null && mlcloud_node_pool.gpu["t4"].autoscaling.min == 0 && mlcloud_node_pool.gpu["t4"].autoscaling.max == 3
    error_message = "The autoscaled pool is not planned with autoscaling alone."
  }

  assert {
    condition     = length(mlcloud_node_pool.serving) == 0
    error_message = "A CPU serving pool is planned although there are GPU pools."
  }
}

run "a_public_endpoint_is_opt_in_and_limited_to_the_listed_networks" {
  command = plan

  variables {
    public_endpoint_cidrs = ["203.0.113.0/24"]
  }

  assert {
    condition     = mlcloud_cluster.this.endpoint_access == "public" && toset(mlcloud_cluster.this.authorized_cidrs) == toset(["203.0.113.0/24"])
    error_message = "public_endpoint_cidrs does not make a public endpoint limited to its networks."
  }
}

run "a_model_store_gives_the_workload_read_on_its_container_only" {
  command = plan

  variables {
    model_uri                = "https://mlmodels.blob.core.windows.net/models/iris/"
    model_store_container_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-data/providers/Microsoft.Storage/storageAccounts/mlmodels/blobServices/default/containers/models"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 1 && mlcloud_identity.workload.grants[0].action == "model_store_read" && mlcloud_identity.workload.grants[0].target == var.model_store_container_id
    error_message = "The workload identity is not granted model_store_read on the container alone: ${jsonencode(mlcloud_identity.workload.grants)}"
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.model.uri == "https://mlmodels.blob.core.windows.net/models/iris/"
    error_message = "The endpoint does not load the model from model_uri."
  }
}

run "the_named_serving_pool_serves" {
  command = plan

  variables {
    serving_pool = "t4"
  }

  assert {
    condition     = output.serving_pool == "t4"
    error_message = "serving_pool does not choose the pool: ${output.serving_pool}"
  }
}

run "the_smoke_test_can_be_turned_off_by_name" {
  command = plan

  variables {
    smoke_test_enabled = false
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.smoke_test.enabled == false
    error_message = "smoke_test_enabled = false does not turn the smoke test off."
  }
}
