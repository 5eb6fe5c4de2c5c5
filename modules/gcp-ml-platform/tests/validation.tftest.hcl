# Plans only: every invalid input fails its own validation (or, for what one input
# cannot say alone, a precondition), before anything is made. Each run breaks one
# rule. Against mlcloud-emulator: the runner passes gcp_endpoint, gcp_project and
# gcp_credentials (README: Tests).
# Where mlcloud-emulator's gcp part listens, its project and its generated key file:
# the runner passes them (-var or TF_VAR_*; README: Tests).
variable "gcp_endpoint" {
  type = string
}

variable "gcp_project" {
  type = string
}

variable "gcp_credentials" {
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

    retry {
      max_backoff_seconds = 2
    }
  }
}

variables {
  name       = "mlp-bad"
  network    = "default"
  subnetwork = "default"
}

run "name_too_long_for_a_service_account" {
  command = plan

  variables {
    name = "a-name-far-too-long-for-it"
  }

  expect_failures = [var.name]
}

run "name_with_capitals" {
  command = plan

  variables {
    name = "MlPlatform"
  }

  expect_failures = [var.name]
}

run "project_that_is_not_a_project_id" {
  command = plan

  variables {
    project = "My Project"
  }

  expect_failures = [var.project]
}

run "location_that_is_a_zone" {
  command = plan

  variables {
    location = "us-central1-a"
  }

  expect_failures = [var.location]
}

run "network_with_a_bad_name" {
  command = plan

  variables {
    network = "My_VPC"
  }

  expect_failures = [var.network]
}

run "subnetwork_with_a_bad_name" {
  command = plan

  variables {
    subnetwork = "projects/p/global/networks/n"
  }

  expect_failures = [var.subnetwork]
}

run "master_range_that_is_not_a_28" {
  command = plan

  variables {
    master_ipv4_cidr_block = "172.16.0.0/24"
  }

  expect_failures = [var.master_ipv4_cidr_block]
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

run "admin_principal_without_a_kind" {
  command = plan

  variables {
    admin_principals = ["alice@example.com"]
  }

  expect_failures = [var.admin_principals]
}

run "no_control_plane_logs" {
  command = plan

  variables {
    control_plane_log_types = []
  }

  expect_failures = [var.control_plane_log_types]
}

run "an_unknown_log_type" {
  command = plan

  variables {
    control_plane_log_types = ["APISERVER", "AUDIT"]
  }

  expect_failures = [var.control_plane_log_types]
}

run "system_machine_type_that_is_not_one" {
  command = plan

  variables {
    system_pool_machine_type = "big"
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

run "key_protection_level_unknown" {
  command = plan

  variables {
    kms_protection_level = "EXTERNAL"
  }

  expect_failures = [var.kms_protection_level]
}

run "gpu_pool_named_with_capitals" {
  command = plan

  variables {
    gpu_pools = { GPU = { accelerator = "nvidia-l4" } }
  }

  expect_failures = [var.gpu_pools]
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
    gpu_pools = { l4 = { accelerator = "nvidia-l4", capacity_type = "preemptible" } }
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

run "gpu_pool_driver_version_unknown" {
  command = plan

  variables {
    gpu_pools = { l4 = { accelerator = "nvidia-l4", gpu_driver_version = "535" } }
  }

  expect_failures = [var.gpu_pools]
}

run "tpu_pool_named_with_an_underscore" {
  command = plan

  variables {
    tpu_pools = { tpu_v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 2 } }
  }

  expect_failures = [var.tpu_pools]
}

run "tpu_pool_with_a_gpu" {
  command = plan

  variables {
    tpu_pools = { v5e = { accelerator = "nvidia-l4", chips_per_node = 4, topology = "2x4", node_count = 2 } }
  }

  expect_failures = [var.tpu_pools]
}

run "tpu_pool_with_no_chips" {
  command = plan

  variables {
    tpu_pools = { v5e = { accelerator = "tpu-v5e", chips_per_node = 0, topology = "2x4", node_count = 2 } }
  }

  expect_failures = [var.tpu_pools]
}

run "tpu_pool_topology_unreadable" {
  command = plan

  variables {
    tpu_pools = { v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "8 chips", node_count = 2 } }
  }

  expect_failures = [var.tpu_pools]
}

run "tpu_pool_without_nodes" {
  command = plan

  variables {
    tpu_pools = { v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 0 } }
  }

  expect_failures = [var.tpu_pools]
}

run "tpu_pool_capacity_type_unknown" {
  command = plan

  variables {
    tpu_pools = { v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 2, capacity_type = "reserved" } }
  }

  expect_failures = [var.tpu_pools]
}

run "cpu_serving_machine_type_that_is_not_one" {
  command = plan

  variables {
    cpu_serving_machine_type = "4 vCPU"
  }

  expect_failures = [var.cpu_serving_machine_type]
}

run "serving_pool_that_is_not_a_pool_name" {
  command = plan

  variables {
    serving_pool = "GPU pool"
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

run "model_uri_outside_cloud_storage" {
  command = plan

  variables {
    model_uri = "s3://models/iris/"
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

run "tag_with_capitals" {
  command = plan

  variables {
    tags = { Team = "ml" }
  }

  expect_failures = [var.tags]
}

run "tag_with_the_providers_prefix" {
  command = plan

  variables {
    tags = { mlcloud-owner = "me" }
  }

  expect_failures = [var.tags]
}

run "serving_pool_that_names_no_gpu_pool" {
  command = plan

  variables {
    serving_pool = "h100"
    gpu_pools    = { l4 = { accelerator = "nvidia-l4" } }
  }

  expect_failures = [mlcloud_serving_endpoint.this]
}

run "a_tpu_pool_with_a_gpu_pools_name" {
  command = plan

  variables {
    gpu_pools = { accel = { accelerator = "nvidia-l4" } }
    tpu_pools = { accel = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 2 } }
  }

  expect_failures = [mlcloud_node_pool.tpu]
}
