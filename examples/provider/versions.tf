terraform {
  # Runs on every Terraform that speaks plugin protocol 6. Provider-defined functions
  # need 1.8, so they live in ./functions, a root module of their own.
  required_version = ">= 1.0"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
