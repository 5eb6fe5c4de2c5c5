# Plans only: the defaults are the secure values, and each weakening is what its
# input's name says, nothing more. platform.tftest.hcl applies.

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
  name       = "mlp-plan"
  subnet_ids = var.aws_subnet_ids
  gpu_pools = {
    l4   = { accelerator = "nvidia-l4", autoscaling = { min = 0, max = 3 } }
    a10g = { accelerator = "nvidia-a10g" }
  }
}

run "the_defaults_are_the_secure_values" {
  command = plan

  assert {
    condition     = mlcloud_cluster.this.endpoint_access == "private" && mlcloud_cluster.this.authorized_cidrs == null
    error_message = "The API endpoint is not private by default."
  }

  assert {
    condition     = toset(mlcloud_cluster.this.logging) == toset(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    error_message = "Not every control-plane log is on by default: ${jsonencode(mlcloud_cluster.this.logging)}"
  }

  assert {
    condition     = mlcloud_kms_key.this.rotation_period_days == 90 && mlcloud_kms_key.this.deletion_window_days == 30
    error_message = "The key is not rotated every 90 days with a 30-day deletion window."
  }

  assert {
    condition     = toset(mlcloud_cluster.this.aws.subnet_ids) == toset(var.aws_subnet_ids)
    error_message = "The cluster is not placed in the caller's subnets."
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.smoke_test.enabled == true && length(mlcloud_identity.workload.grants) == 0
    error_message = "The smoke test is off, or the workload role has grants although the model is in the image."
  }

  # The first GPU pool by name serves, one GPU a pod.
  assert {
    condition     = output.serving_pool == "a10g" && mlcloud_serving_endpoint.this.resources.gpu == 1
    error_message = "The endpoint is not on the first GPU pool by name: ${output.serving_pool}"
  }

  assert {
    condition     = mlcloud_node_pool.gpu["l4"].node_count == null && mlcloud_node_pool.gpu["l4"].autoscaling.max == 3 && length(mlcloud_node_pool.serving) == 0
    error_message = "The autoscaled pool is not planned with autoscaling alone, or a CPU pool is planned beside GPU pools."
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

run "a_model_store_gives_the_workload_read_on_its_prefix_only" {
  command = plan

  variables {
    model_uri = "s3://ml-models/iris/"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 1 && mlcloud_identity.workload.grants[0].action == "model_store_read" && mlcloud_identity.workload.grants[0].target == "s3://ml-models/iris/"
    error_message = "The workload role is not granted model_store_read on the model's prefix alone: ${jsonencode(mlcloud_identity.workload.grants)}"
  }
}

run "without_gpu_pools_a_cpu_pool_serves" {
  command = plan

  variables {
    gpu_pools = {}
  }

  assert {
    condition     = output.serving_pool == "serving" && length(mlcloud_node_pool.serving) == 1 && mlcloud_serving_endpoint.this.resources.gpu == 0
    error_message = "Without GPU pools the endpoint is not planned on the module's CPU pool."
  }
}
