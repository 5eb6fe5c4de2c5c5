terraform {
  # 1.3: optional() attributes with defaults in the gpu_pools and tpu_pools objects.
  required_version = ">= 1.3"

  required_providers {
    mlcloud = {
      source  = "mlcloud/mlcloud"
      version = "~> 0.1"
    }
  }
}
