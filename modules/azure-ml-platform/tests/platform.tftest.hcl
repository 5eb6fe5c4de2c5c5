# Applies the platform against mlcloud-emulator's azure part and checks what a user
# reads from it: the cluster, the identities, the pool, and a passed smoke inference,
# first on the module's CPU pool (no gpu_pools), then on an NVIDIA T4 pool: the
# emulator's AKS GPU nodes advertise nvidia.com/gpu only while a device-plugin
# DaemonSet selects them, which the pool brings (gpu_device_plugin).

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
  name                = "mlp-cpu"
  resource_group_name = "ml-platform"
  location            = "westeurope"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
  tags                = { team = "ml-platform" }
}

run "the_platform_serves_a_passed_inference" {
  command = apply

  assert {
    condition     = output.smoke_test_result.passed == true && output.smoke_test_result.model == "iris" && length(output.smoke_test_result.answer) > 0
    error_message = "The smoke inference did not pass: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = output.serving_pool == "serving" && mlcloud_serving_endpoint.this.node_pool_id == output.node_pools["serving"].id && output.node_pools["serving"].machine_type == "Standard_D4ds_v5"
    error_message = "The endpoint is not on the module's CPU pool: ${jsonencode(output.node_pools)}"
  }

  assert {
    condition     = output.serving_internal_url == "http://inference.ml-serving.svc.cluster.local:8080" && output.serving_endpoint_id == "${output.cluster_id}/namespaces/ml-serving/endpoints/inference"
    error_message = "Unexpected endpoint id or URL: ${output.serving_endpoint_id} ${output.serving_internal_url}"
  }

  assert {
    condition     = can(regex("(?i)^/subscriptions/${var.azure_subscription_id}/resourceGroups/ml-platform/providers/Microsoft.ContainerService/managedClusters/mlp-cpu$", output.cluster_id))
    error_message = "Unexpected cluster id ${output.cluster_id}"
  }

  assert {
    condition     = can(regex("^https://", output.cluster_endpoint)) && can(regex("^https://", output.oidc_issuer_url)) && output.cluster_ca_certificate != ""
    error_message = "The cluster has no https endpoint, OIDC issuer or CA."
  }

  assert {
    condition     = mlcloud_cluster.this.identity_id == output.identities.cluster.id && mlcloud_cluster.this.encryption_key_id == output.kms_key_ref && mlcloud_cluster.this.endpoint_access == "private"
    error_message = "The cluster is not private, encrypted with the module's key and run as its identity."
  }

  assert {
    condition     = can(regex("^[0-9a-f-]{36}$", output.identities.workload.client_id)) && output.identities.workload.client_id != output.identities.cluster.client_id
    error_message = "The workload identity has no client id of its own: ${jsonencode(output.identities)}"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 0
    error_message = "The workload identity has grants although the model is in the image."
  }

  assert {
    condition     = can(regex("^https://.+/keys/mlp-cpu-etcd$", output.kms_key_ref)) && mlcloud_kms_key.this.rotation_period_days == 90
    error_message = "Unexpected key ${output.kms_key_ref}"
  }
}

run "a_t4_pool_takes_the_endpoint_and_serves_on_its_gpu" {
  command = apply

  variables {
    gpu_pools = { t4 = { accelerator = "nvidia-t4" } }
  }

  assert {
    condition     = output.smoke_test_result.passed == true && output.smoke_test_result.model == "iris"
    error_message = "The smoke inference on the T4 pool did not pass: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = output.serving_pool == "t4" && mlcloud_serving_endpoint.this.node_pool_id == output.node_pools["t4"].id && output.node_pools["t4"].machine_type == "Standard_NC4as_T4_v3"
    error_message = "The endpoint is not on the T4 pool: ${jsonencode(output.node_pools)}"
  }

  assert {
    condition     = mlcloud_node_pool.gpu["t4"].gpu_device_plugin == true
    error_message = "The T4 pool runs no NVIDIA device plugin."
  }
}
