# Applies the platform with an NVIDIA L4 node group against moto (behind
# mlcloud-emulator's aws part) and checks what a user reads from it: the cluster, the
# roles, the pool, and a passed smoke inference on the GPU pool. moto has no
# Kubernetes API: the provider reaches the emulator's override API (endpoints.kubernetes,
# trusted through ca_certificate_file), where the runner's kubelets register the node
# groups' nodes while terraform test runs (README: Tests).

variable "aws_endpoint" {
  type = string
}

variable "aws_subnet_ids" {
  type = list(string)
}

# The emulator's Kubernetes API for every EKS cluster, and its CA file.
variable "kubernetes_endpoint" {
  type = string
}

variable "ca_certificate_file" {
  type = string
}

provider "mlcloud" {
  aws {
    region              = "us-east-1"
    ca_certificate_file = var.ca_certificate_file

    endpoints {
      eks        = var.aws_endpoint
      kms        = var.aws_endpoint
      iam        = var.aws_endpoint
      sts        = var.aws_endpoint
      ec2        = var.aws_endpoint
      kubernetes = var.kubernetes_endpoint
    }
  }
}

variables {
  name       = "mlp-apply"
  subnet_ids = var.aws_subnet_ids
  tags       = { team = "ml-platform" }

  # Two one-GPU nodes: room for a second replica in the last run.
  gpu_pools = {
    l4 = { accelerator = "nvidia-l4", node_count = 2 }
  }
}

run "a_gpu_platform_serves_a_passed_inference" {
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
    condition     = can(regex("^arn:aws:eks:us-east-1:[0-9]{12}:cluster/mlp-apply$", output.cluster_id))
    error_message = "Unexpected cluster id ${output.cluster_id}"
  }

  assert {
    condition     = can(regex("^https://", output.cluster_endpoint)) && output.oidc_issuer_url != "" && output.cluster_ca_certificate != ""
    error_message = "The cluster has no https endpoint, OIDC issuer or CA."
  }

  assert {
    condition     = endswith(output.identities.workload.principal, ":role/mlp-apply-serving") && endswith(output.identities.node.principal, ":role/mlp-apply-node")
    error_message = "Unexpected roles: ${jsonencode(output.identities)}"
  }

  assert {
    condition     = length(mlcloud_identity.workload.grants) == 0
    error_message = "The workload role has grants although the model is in the image."
  }

  assert {
    condition     = mlcloud_cluster.this.encryption_key_id == output.kms_key_ref && mlcloud_cluster.this.endpoint_access == "private"
    error_message = "The cluster is not private and encrypted with the module's key."
  }

  assert {
    condition     = length(mlcloud_cluster.this.logging) == 5
    error_message = "The cluster does not send every control-plane log: ${jsonencode(mlcloud_cluster.this.logging)}"
  }

  assert {
    condition     = output.node_pools["l4"].machine_type == "g6.xlarge" && output.node_pools["l4"].accelerators_per_node == 1
    error_message = "Unexpected GPU pool: ${jsonencode(output.node_pools["l4"])}"
  }

  assert {
    condition     = contains([for t in mlcloud_node_pool.gpu["l4"].taints : "${t.key}=${t.value}:${t.effect}"], "nvidia.com/gpu=present:NoSchedule")
    error_message = "The GPU pool is not tainted: ${jsonencode(mlcloud_node_pool.gpu["l4"].taints)}"
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
