# Plans only: every invalid input fails its own validation (or, for what one input
# cannot say alone, a precondition), before anything is made. Each run breaks one
# rule.

# moto's endpoint (behind mlcloud-emulator's aws part) and two subnets of a VPC made
# there: the runner passes them (-var or TF_VAR_*; README: Tests), and moto's test
# credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
variable "aws_endpoint" {
  type = string
}

variable "aws_subnet_ids" {
  type = list(string)
}

provider "mlcloud" {
  aws {
    region = "us-east-1"

    endpoints {
      eks = var.aws_endpoint
      kms = var.aws_endpoint
      iam = var.aws_endpoint
      sts = var.aws_endpoint
      ec2 = var.aws_endpoint
    }
  }
}

variables {
  name       = "mlp-bad"
  subnet_ids = var.aws_subnet_ids
}

run "name_with_an_underscore" {
  command = plan

  variables {
    name = "ml_platform"
  }

  expect_failures = [var.name]
}

run "location_that_is_a_zone" {
  command = plan

  variables {
    location = "us-east-1a"
  }

  expect_failures = [var.location]
}

run "one_subnet_only" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }

  expect_failures = [var.subnet_ids]
}

run "security_group_that_is_a_name" {
  command = plan

  variables {
    security_group_ids = ["default"]
  }

  expect_failures = [var.security_group_ids]
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

run "admin_principal_that_is_a_name" {
  command = plan

  variables {
    admin_principals = ["alice"]
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
    control_plane_log_types = ["api", "APISERVER"]
  }

  expect_failures = [var.control_plane_log_types]
}

run "system_instance_type_that_is_not_one" {
  command = plan

  variables {
    system_pool_machine_type = "large"
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

run "boundary_that_is_a_role" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:role/x"
  }

  expect_failures = [var.permissions_boundary_arn]
}

run "key_rotated_less_than_yearly" {
  command = plan

  variables {
    kms_rotation_period_days = 400
  }

  expect_failures = [var.kms_rotation_period_days]
}

run "key_deletion_window_under_a_week" {
  command = plan

  variables {
    kms_deletion_window_days = 3
  }

  expect_failures = [var.kms_deletion_window_days]
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

run "cpu_serving_instance_type_that_is_not_one" {
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

run "model_uri_outside_s3" {
  command = plan

  variables {
    model_uri = "gs://models/iris/"
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

run "tag_key_reserved_by_aws" {
  command = plan

  variables {
    tags = { "aws:owner" = "me" }
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
    gpu_pools    = { l4 = { accelerator = "nvidia-l4" } }
  }

  expect_failures = [mlcloud_serving_endpoint.this]
}
