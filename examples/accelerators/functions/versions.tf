terraform {
  # Provider-defined functions arrived in Terraform 1.8.
  required_version = ">= 1.8"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
