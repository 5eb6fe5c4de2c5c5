# Without GPU pools the module adds a one-node CPU pool for the endpoint (never the
# system pool), and the smoke inference still passes there. Against mlcloud-emulator:
# the runner passes gcp_endpoint, gcp_project and gcp_credentials (README: Tests).

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
  name       = "mlp-cpu"
  network    = "default"
  subnetwork = "default"
}

run "without_gpu_pools_the_endpoint_gets_a_cpu_pool" {
  command = apply

  assert {
    condition     = output.serving_pool == "serving" && output.node_pools["serving"].machine_type == "e2-standard-4"
    error_message = "The endpoint is not on the module's CPU pool: ${output.serving_pool}, ${jsonencode(output.node_pools)}"
  }

  assert {
    condition     = output.node_pools["serving"].accelerators_per_node == 0 && mlcloud_serving_endpoint.this.resources.gpu == 0
    error_message = "The CPU pool or the endpoint asks for accelerators."
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.node_pool_id == output.node_pools["serving"].id
    error_message = "The endpoint is not placed on the CPU pool."
  }

  assert {
    condition     = output.smoke_test_result.passed == true && output.smoke_test_result.device == "cpu"
    error_message = "No passed smoke inference on cpu: ${jsonencode(output.smoke_test_result)}"
  }
}
