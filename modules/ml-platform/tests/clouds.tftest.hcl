# The same inputs on two clouds: the platform applied on gcp, then `cloud` switched to
# azure, which replaces it (the gcp module's resources destroyed, the azure module's
# made); each ends with a passed smoke inference from the module's CPU pool.
#
# mlcloud-emulator plays both clouds at once: its gcp part (endpoint, project, key
# file) and its azure part (ARM and Entra endpoints, test CA, credentials; the resource
# group ml-platform must exist). The runner passes them (-var or TF_VAR_*).
variable "gcp_endpoint" {
  type = string
}

variable "gcp_project" {
  type = string
}

variable "gcp_credentials" {
  type = string
}

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
  gcp {
    project     = var.gcp_project
    region      = "us-central1"
    credentials = var.gcp_credentials

    endpoints {
      container       = var.gcp_endpoint
      cloudkms        = var.gcp_endpoint
      iam             = var.gcp_endpoint
      resourcemanager = var.gcp_endpoint
      compute         = var.gcp_endpoint
      oauth2          = var.gcp_endpoint
    }
  }

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
  }
}

variables {
  name = "mlp-any"
  gcp = {
    network    = "default"
    subnetwork = "default"
  }
  azure = {
    resource_group_name = "ml-platform"
    subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
  }
}

run "on_gcp" {
  command = apply

  variables {
    cloud = "gcp"
  }

  assert {
    condition     = output.smoke_test_result.passed == true && output.serving_pool == "serving"
    error_message = "No passed smoke inference on gcp: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = can(regex("/locations/us-central1/clusters/mlp-any$", output.cluster_id)) && length(module.azure) == 0 && length(module.aws) == 0
    error_message = "Not a GKE cluster alone: ${output.cluster_id}"
  }

  assert {
    condition     = output.identities.workload.principal == "mlp-any-serving@${var.gcp_project}.iam.gserviceaccount.com"
    error_message = "Unexpected workload identity: ${jsonencode(output.identities)}"
  }
}

run "on_azure" {
  command = apply

  variables {
    cloud    = "azure"
    location = "westeurope"
  }

  assert {
    condition     = output.smoke_test_result.passed == true && output.serving_pool == "serving"
    error_message = "No passed smoke inference on azure: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = can(regex("(?i)/resourceGroups/ml-platform/providers/Microsoft.ContainerService/managedClusters/mlp-any$", output.cluster_id)) && length(module.gcp) == 0
    error_message = "Not an AKS cluster alone: ${output.cluster_id}"
  }

  assert {
    condition     = output.serving_internal_url == "http://inference.ml-serving.svc.cluster.local:8080" && can(regex("^[0-9a-f-]{36}$", output.identities.workload.client_id))
    error_message = "Unexpected URL or workload identity: ${output.serving_internal_url} ${jsonencode(output.identities)}"
  }
}
