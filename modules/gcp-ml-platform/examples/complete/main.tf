# Every input of the module, at a value a production platform might choose. The
# provider block talks to Google Cloud unless `gcp_endpoint` names an emulator
# (mlcloud-emulator's gcp part), which is the only way this example reaches one.

provider "mlcloud" {
  gcp {
    project     = var.gcp_project
    region      = "us-central1"
    credentials = var.gcp_credentials

    endpoints {
      container       = var.gcp_endpoint
      cloudkms        = var.gcp_endpoint
      iam             = var.gcp_endpoint
      resourcemanager = var.gcp_endpoint
      compute         = var.gcp_endpoint
      oauth2          = var.gcp_endpoint
    }
  }

  default_tags = { managed-by = "terraform" }
}

module "ml_platform" {
  source = "../.."

  name     = "ml-prod"
  project  = var.gcp_project
  location = "us-central1"

  # The network is the platform team's own.
  network                = "ml-vpc"
  subnetwork             = "ml-nodes-us-central1"
  master_ipv4_cidr_block = "172.16.0.32/28"

  # Weakenings, each by name: an API endpoint reachable from the office network only.
  public_endpoint_cidrs   = ["203.0.113.0/24"]
  control_plane_log_types = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]

  kubernetes_version       = "1.31"
  admin_principals         = ["group:ml-platform-admins@example.com"]
  system_pool_machine_type = "e2-standard-8"
  system_pool_node_count   = 2

  kms_rotation_period_days = 90
  kms_deletion_window_days = 30
  kms_protection_level     = "HSM"

  gpu_pools = {
    l4 = {
      accelerator        = "nvidia-l4"
      autoscaling        = { min = 1, max = 4 }
      capacity_type      = "spot"
      disk_size_gb       = 200
      labels             = { workload = "inference" }
      gpu_driver_version = "LATEST"
    }
    h100 = {
      accelerator           = "nvidia-h100-80gb"
      accelerators_per_node = 8
      node_count            = 1
      zones                 = ["us-central1-a"]
      labels                = { workload = "training" }
    }
  }

  tpu_pools = {
    v5e = {
      accelerator    = "tpu-v5e"
      chips_per_node = 4
      topology       = "2x4"
      node_count     = 2
      labels         = { workload = "training" }
    }
  }
  cpu_serving_machine_type = "e2-standard-4"

  serving_pool               = "l4"
  serving_name               = "iris"
  serving_namespace          = "ml-serving"
  serving_image              = null # the provider's bundled smoke-test image
  serving_replicas           = 2
  serving_gpus_per_replica   = 1
  serving_allowed_namespaces = ["ml-clients"]
  model_name                 = "iris"
  model_uri                  = null # the model inside the image: no model store grant
  smoke_test_enabled         = true
  smoke_test_timeout         = "10m"

  tags = { team = "ml-platform", env = "prod" }
}
