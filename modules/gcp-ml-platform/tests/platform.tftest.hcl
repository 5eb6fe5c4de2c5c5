# Applies the platform with a GPU pool and a TPU slice against mlcloud-emulator, and
# checks what a user reads from it: the cluster, the identities, the pools, and a
# passed smoke inference on the GPU pool. The runner passes gcp_endpoint, gcp_project
# and gcp_credentials (README: Tests); the emulator plays every Google API and the
# cluster's Kubernetes API.

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
  name       = "mlp-gpu"
  network    = "default"
  subnetwork = "default"
  tags       = { team = "ml-platform" }

  # Two one-GPU nodes: room for a second replica in the last run.
  gpu_pools = {
    l4 = { accelerator = "nvidia-l4", node_count = 2 }
  }
  tpu_pools = {
    v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 2 }
  }
}

run "gpu_and_tpu_platform_serves_a_passed_inference" {
  command = apply

  assert {
    condition     = output.smoke_test_result.passed == true
    error_message = "The smoke inference did not pass: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = output.smoke_test_result.model == "iris" && length(output.smoke_test_result.answer) > 0 && output.smoke_test_result.device != ""
    error_message = "The smoke test names no model, answer or device: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = output.smoke_test_result.latency_ms >= 0
    error_message = "The smoke test has no latency: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = output.serving_pool == "l4" && mlcloud_serving_endpoint.this.node_pool_id == output.node_pools["l4"].id
    error_message = "The endpoint is not on the GPU pool l4: ${output.serving_pool}"
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.resources.gpu == 1 && mlcloud_serving_endpoint.this.ready_replicas == 1
    error_message = "The endpoint does not run one ready pod with one GPU."
  }

  assert {
    condition     = output.serving_internal_url == "http://inference.ml-serving.svc.cluster.local:8080"
    error_message = "Unexpected serving URL ${output.serving_internal_url}"
  }

  assert {
    condition     = output.serving_endpoint_id == "${output.cluster_id}/namespaces/ml-serving/endpoints/inference"
    error_message = "Unexpected endpoint id ${output.serving_endpoint_id}"
  }

  assert {
    condition     = can(regex("^projects/${var.gcp_project}/locations/us-central1/clusters/mlp-gpu$", output.cluster_id))
    error_message = "Unexpected cluster id ${output.cluster_id}"
  }

  assert {
    condition     = can(regex("^https://", output.cluster_endpoint)) && output.oidc_issuer_url != "" && output.cluster_ca_certificate != ""
    error_message = "The cluster has no https endpoint, OIDC issuer or CA."
  }

  assert {
    condition     = output.identities.node.principal == "mlp-gpu-nodes@${var.gcp_project}.iam.gserviceaccount.com"
    error_message = "Unexpected node service account ${output.identities.node.principal}"
  }

  assert {
    condition     = output.identities.workload.principal == "mlp-gpu-serving@${var.gcp_project}.iam.gserviceaccount.com"
    error_message = "Unexpected workload service account ${output.identities.workload.principal}"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 0
    error_message = "The workload identity has grants although the model is in the image."
  }

  assert {
    condition     = mlcloud_cluster.this.encryption_key_id == output.kms_key_ref && mlcloud_cluster.this.endpoint_access == "private"
    error_message = "The cluster is not private and encrypted with the module's key."
  }

  assert {
    condition     = length(mlcloud_cluster.this.logging) == 4
    error_message = "The cluster does not send every control-plane log: ${jsonencode(mlcloud_cluster.this.logging)}"
  }

  assert {
    condition     = output.node_pools["l4"].machine_type == "g2-standard-4" && output.node_pools["l4"].accelerators_per_node == 1
    error_message = "Unexpected GPU pool: ${jsonencode(output.node_pools["l4"])}"
  }

  assert {
    condition     = output.node_pools["v5e"].machine_type == "ct5lp-hightpu-4t" && output.node_pools["v5e"].accelerators_per_node == 4
    error_message = "Unexpected TPU pool: ${jsonencode(output.node_pools["v5e"])}"
  }

  assert {
    condition     = contains([for t in mlcloud_node_pool.gpu["l4"].taints : "${t.key}=${t.value}:${t.effect}"], "nvidia.com/gpu=present:NoSchedule")
    error_message = "The GPU pool is not tainted: ${jsonencode(mlcloud_node_pool.gpu["l4"].taints)}"
  }

  assert {
    condition     = contains([for t in mlcloud_node_pool.tpu["v5e"].taints : "${t.key}=${t.value}:${t.effect}"], "google.com/tpu=present:NoSchedule")
    error_message = "The TPU slice is not tainted: ${jsonencode(mlcloud_node_pool.tpu["v5e"].taints)}"
  }

  assert {
    condition     = length(mlcloud_node_pool.serving) == 0
    error_message = "A CPU serving pool was made although there is a GPU pool."
  }
}

# A second replica on the second GPU node: both ready, and the smoke test passes again.
run "a_second_replica_is_ready_and_answers" {
  command = apply

  variables {
    serving_replicas = 2
  }

  assert {
    condition     = mlcloud_serving_endpoint.this.ready_replicas == 2 && output.smoke_test_result.passed == true
    error_message = "Two replicas are not ready and answering: ${jsonencode(output.smoke_test_result)}"
  }
}
