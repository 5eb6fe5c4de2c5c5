# Plans only: the defaults are the secure values, and each weakening is what its
# input's name says, nothing more. Against mlcloud-emulator: the runner passes
# gcp_endpoint, gcp_project and gcp_credentials (README: Tests).

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
  name       = "mlp-plan"
  network    = "default"
  subnetwork = "default"
  gpu_pools = {
    a100 = { accelerator = "nvidia-a100-40gb" }
    l4   = { accelerator = "nvidia-l4", autoscaling = { min = 0, max = 3 } }
  }
}

run "the_defaults_are_the_secure_values" {
  command = plan

  assert {
    condition     = mlcloud_cluster.this.endpoint_access == "private" && mlcloud_cluster.this.authorized_cidrs == null
    error_message = "The API endpoint is not private by default."
  }

  assert {
    condition     = toset(mlcloud_cluster.this.logging) == toset(["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"])
    error_message = "Not every control-plane log is on by default: ${jsonencode(mlcloud_cluster.this.logging)}"
  }

  assert {
    # null: the provider's default, HSM (passed as null for a provider gap, see main.tf).
    condition     = mlcloud_kms_key.this.gcp.protection_level == null && mlcloud_kms_key.this.rotation_period_days == 90 && mlcloud_kms_key.this.deletion_window_days == 30
    error_message = "The key is not an HSM key rotated every 90 days with a 30-day destroy window."
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.smoke_test.enabled == true
    error_message = "The smoke test is not on by default."
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 0
    error_message = "The workload identity gets grants although the model is in the image."
  }

  assert {
    # null: the provider's defaults, network "default" and 172.16.0.0/28 (see main.tf).
    condition     = mlcloud_cluster.this.gcp.network == null && mlcloud_cluster.this.gcp.master_ipv4_cidr_block == null
    error_message = "The cluster is not placed in the caller's network."
  }

  # The first GPU pool by name serves; a pool with autoscaling has no fixed size.
  assert {
    condition     = output.serving_pool == "a100" && mlcloud_serving_endpoint.this.resources.gpu == 1
    error_message = "The endpoint is not on the first GPU pool by name: ${output.serving_pool}"
  }

  assert {
    condition     = mlcloud_node_pool.gpu["l4"].node_count == null && mlcloud_node_pool.gpu["l4"].autoscaling.min == 0 && mlcloud_node_pool.gpu["l4"].autoscaling.max == 3
    error_message = "The autoscaled pool is not planned with autoscaling alone."
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
    model_uri = "gs://ml-models/iris/"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 1 && mlcloud_identity.workload.grants[0].action == "model_store_read" && mlcloud_identity.workload.grants[0].target == "gs://ml-models/iris/"
    error_message = "The workload identity is not granted model_store_read on the model's prefix alone: ${jsonencode(mlcloud_identity.workload.grants)}"
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.model.uri == "gs://ml-models/iris/"
    error_message = "The endpoint does not load the model from model_uri."
  }
}

run "the_named_serving_pool_serves" {
  command = plan

  variables {
    serving_pool             = "l4"
    serving_gpus_per_replica = 1
  }

  assert {
    condition     = output.serving_pool == "l4"
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

run "the_callers_network_and_a_software_key_are_what_is_planned" {
  command = plan

  variables {
    network                = "ml-vpc"
    subnetwork             = "ml-nodes"
    master_ipv4_cidr_block = "172.16.0.32/28"
    kms_protection_level   = "SOFTWARE"
  }

  assert {
    condition     = mlcloud_cluster.this.gcp.network == "ml-vpc" && mlcloud_cluster.this.gcp.subnetwork == "ml-nodes" && mlcloud_cluster.this.gcp.master_ipv4_cidr_block == "172.16.0.32/28"
    error_message = "The cluster is not planned in the caller's network and control-plane range."
  }

  assert {
    condition     = mlcloud_kms_key.this.gcp.protection_level == "SOFTWARE"
    error_message = "kms_protection_level = \"SOFTWARE\" is not what the key is planned with."
  }
}
