# 1.14 for the action block in main.tf; the resources alone need 1.0.
terraform {
  required_version = ">= 1.14"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
