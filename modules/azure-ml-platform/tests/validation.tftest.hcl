# Plans only: every invalid input fails its own validation (or, for what one input
# cannot say alone, a precondition), before anything is made. Each run breaks one
# rule. Against mlcloud-emulator's azure part.

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
  name                = "mlp-bad"
  resource_group_name = "ml-platform"
  location            = "westeurope"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
}

run "name_with_an_underscore" {
  command = plan

  variables {
    name = "ml_platform"
  }

  expect_failures = [var.name]
}

run "resource_group_ending_in_a_dot" {
  command = plan

  variables {
    resource_group_name = "ml-platform."
  }

  expect_failures = [var.resource_group_name]
}

run "location_with_a_space" {
  command = plan

  variables {
    location = "West Europe"
  }

  expect_failures = [var.location]
}

run "subnet_that_is_a_vnet" {
  command = plan

  variables {
    subnet_id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v"
  }

  expect_failures = [var.subnet_id]
}

run "public_cidr_that_is_not_a_cidr" {
  command = plan

  variables {
    public_endpoint_cidrs = ["my office"]
  }

  expect_failures = [var.public_endpoint_cidrs]
}

run "public_endpoint_open_to_the_internet" {
  command = plan

  variables {
    public_endpoint_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.public_endpoint_cidrs]
}

run "kubernetes_version_with_a_patch" {
  command = plan

  variables {
    kubernetes_version = "1.31.2"
  }

  expect_failures = [var.kubernetes_version]
}

run "admin_principal_that_is_an_email" {
  command = plan

  variables {
    admin_principals = ["alice@example.com"]
  }

  expect_failures = [var.admin_principals]
}

run "system_vm_size_that_is_not_one" {
  command = plan

  variables {
    system_pool_machine_type = "D4"
  }

  expect_failures = [var.system_pool_machine_type]
}

run "no_system_nodes" {
  command = plan

  variables {
    system_pool_node_count = 0
  }

  expect_failures = [var.system_pool_node_count]
}

run "key_vault_id_that_is_a_name" {
  command = plan

  variables {
    key_vault_id = "ml-vault"
  }

  expect_failures = [var.key_vault_id]
}

run "key_rotated_less_than_yearly" {
  command = plan

  variables {
    kms_rotation_period_days = 400
  }

  expect_failures = [var.kms_rotation_period_days]
}

run "gpu_pool_named_with_a_dash" {
  command = plan

  variables {
    gpu_pools = { gpu-a = { accelerator = "nvidia-t4" } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_with_a_tpu" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "tpu-v5e" } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_with_32_gpus_per_node" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", accelerators_per_node = 32 } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_without_nodes" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", node_count = 0 } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_autoscaling_min_not_below_max" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", autoscaling = { min = 3, max = 3 } } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_capacity_type_unknown" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", capacity_type = "low" } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_disk_too_small" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", disk_size_gb = 10 } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_driver_unknown" {
  command = plan

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4", gpu_driver = "Operator" } }
  }

  expect_failures = [var.gpu_pools]
}

run "cpu_serving_vm_size_that_is_not_one" {
  command = plan

  variables {
    cpu_serving_machine_type = "4 vCPU"
  }

  expect_failures = [var.cpu_serving_machine_type]
}

run "serving_pool_that_is_not_a_pool_name" {
  command = plan

  variables {
    serving_pool = "gpu-pool"
  }

  expect_failures = [var.serving_pool]
}

run "serving_name_with_capitals" {
  command = plan

  variables {
    serving_name = "Inference"
  }

  expect_failures = [var.serving_name]
}

run "serving_namespace_with_a_dot" {
  command = plan

  variables {
    serving_namespace = "ml.serving"
  }

  expect_failures = [var.serving_namespace]
}

run "no_serving_replicas" {
  command = plan

  variables {
    serving_replicas = 0
  }

  expect_failures = [var.serving_replicas]
}

run "no_gpus_per_replica" {
  command = plan

  variables {
    serving_gpus_per_replica = 0
  }

  expect_failures = [var.serving_gpus_per_replica]
}

run "allowed_namespace_with_capitals" {
  command = plan

  variables {
    serving_allowed_namespaces = ["Clients"]
  }

  expect_failures = [var.serving_allowed_namespaces]
}

run "model_name_with_a_slash" {
  command = plan

  variables {
    model_name = "iris/v1"
  }

  expect_failures = [var.model_name]
}

run "model_uri_outside_blob_storage" {
  command = plan

  variables {
    model_uri = "s3://models/iris/"
  }

  expect_failures = [var.model_uri]
}

run "model_store_that_is_an_account" {
  command = plan

  variables {
    model_store_container_id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a"
  }

  expect_failures = [var.model_store_container_id]
}

run "smoke_timeout_that_is_not_a_duration" {
  command = plan

  variables {
    smoke_test_timeout = "five minutes"
  }

  expect_failures = [var.smoke_test_timeout]
}

run "tag_key_with_a_slash" {
  command = plan

  variables {
    tags = { "team/name" = "ml" }
  }

  expect_failures = [var.tags]
}

run "tag_with_the_providers_prefix" {
  command = plan

  variables {
    tags = { "mlcloud:owner" = "me" }
  }

  expect_failures = [var.tags]
}

run "serving_pool_that_names_no_gpu_pool" {
  command = plan

  variables {
    serving_pool = "h100"
    gpu_pools    = { t4 = { accelerator = "nvidia-t4" } }
  }

  expect_failures = [mlcloud_serving_endpoint.this]
}
