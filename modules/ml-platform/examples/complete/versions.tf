terraform {
  # 1.9: the aws, azure and gcp objects' validations refer to var.cloud (the cloud
  # modules themselves need only 1.3).
  required_version = ">= 1.9"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
