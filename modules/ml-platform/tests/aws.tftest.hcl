# The same inputs as clouds.tftest.hcl, with cloud = "aws": applied against moto (behind
# mlcloud-emulator's aws part), the serving endpoint on the module's CPU node group, and
# a passed smoke inference. moto has no Kubernetes API: the provider reaches the
# emulator's (endpoints.kubernetes, trusted through ca_certificate_file), where the
# runner registers the node groups' nodes as kubelets would (README: Tests).

variable "aws_endpoint" {
  type = string
}

variable "aws_subnet_ids" {
  type = list(string)
}

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
  name  = "mlp-any"
  cloud = "aws"
  aws = {
    subnet_ids = var.aws_subnet_ids
  }
}

run "on_aws" {
  command = apply

  assert {
    condition     = output.smoke_test_result.passed == true && output.serving_pool == "serving"
    error_message = "No passed smoke inference on aws: ${jsonencode(output.smoke_test_result)}"
  }

  assert {
    condition     = can(regex("^arn:aws:eks:us-east-1:[0-9]{12}:cluster/mlp-any$", output.cluster_id)) && length(module.gcp) == 0 && length(module.azure) == 0
    error_message = "Not an EKS cluster alone: ${output.cluster_id}"
  }

  assert {
    condition     = output.serving_internal_url == "http://inference.ml-serving.svc.cluster.local:8080" && endswith(output.identities.workload.principal, ":role/mlp-any-serving")
    error_message = "Unexpected URL or workload identity: ${output.serving_internal_url} ${jsonencode(output.identities)}"
  }
}
