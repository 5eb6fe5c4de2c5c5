terraform {
  required_version = ">= 1.3"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
