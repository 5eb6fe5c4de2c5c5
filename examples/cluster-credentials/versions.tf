terraform {
  # Ephemeral resources, and ephemeral values in provider blocks, need Terraform 1.10.
  required_version = ">= 1.10"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.36"
    }
  }
}
