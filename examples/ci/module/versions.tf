terraform {
  # tests/*.tftest.hcl need terraform test: Terraform 1.6 or later.
  required_version = ">= 1.6"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
