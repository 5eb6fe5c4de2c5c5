# Plans only: every invalid input fails its own validation before anything is made.
# Each run breaks one rule. (The chosen cloud's module checks the rest with its own
# rules: see that module's validation tests.)

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
  cloud = "gcp"
  name  = "mlp-bad"
  gcp = {
    network    = "default"
    subnetwork = "default"
  }
}

run "an_unknown_cloud" {
  command = plan

  variables {
    cloud = "oci"
  }

  expect_failures = [var.cloud]
}

run "name_with_capitals" {
  command = plan

  variables {
    name = "MlPlatform"
  }

  expect_failures = [var.name]
}

run "location_with_a_space" {
  command = plan

  variables {
    location = "West Europe"
  }

  expect_failures = [var.location]
}

run "aws_without_its_network" {
  command = plan

  variables {
    cloud = "aws"
  }

  expect_failures = [var.aws]
}

run "azure_without_its_network" {
  command = plan

  variables {
    cloud = "azure"
  }

  expect_failures = [var.azure]
}

run "gcp_without_its_network" {
  command = plan

  variables {
    cloud = "gcp"
    gcp   = null
  }

  expect_failures = [var.gcp]
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

run "no_control_plane_logs" {
  command = plan

  variables {
    control_plane_log_types = []
  }

  expect_failures = [var.control_plane_log_types]
}

run "no_system_nodes" {
  command = plan

  variables {
    system_pool_node_count = 0
  }

  expect_failures = [var.system_pool_node_count]
}

run "key_rotated_less_than_yearly" {
  command = plan

  variables {
    kms_rotation_period_days = 400
  }

  expect_failures = [var.kms_rotation_period_days]
}

run "key_destroy_window_under_a_week" {
  command = plan

  variables {
    kms_deletion_window_days = 3
  }

  expect_failures = [var.kms_deletion_window_days]
}

run "gpu_pool_with_a_tpu" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "tpu-v5e" } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_with_32_gpus_per_node" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", accelerators_per_node = 32 } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_without_nodes" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", node_count = 0 } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_autoscaling_min_not_below_max" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", autoscaling = { min = 3, max = 3 } } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_capacity_type_unknown" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", capacity_type = "reserved" } }
  }

  expect_failures = [var.gpu_pools]
}

run "gpu_pool_disk_too_small" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", disk_size_gb = 10 } }
  }

  expect_failures = [var.gpu_pools]
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

run "model_uri_that_is_a_path" {
  command = plan

  variables {
    model_uri = "/models/iris"
  }

  expect_failures = [var.model_uri]
}

run "smoke_timeout_that_is_not_a_duration" {
  command = plan

  variables {
    smoke_test_timeout = "five minutes"
  }

  expect_failures = [var.smoke_test_timeout]
}

run "tag_with_the_providers_prefix" {
  command = plan

  variables {
    tags = { mlcloud-owner = "me" }
  }

  expect_failures = [var.tags]
}
