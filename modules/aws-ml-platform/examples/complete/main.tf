# Every input of the module, at a value a production platform might choose. The
# provider block talks to AWS unless `aws_endpoint` names an emulator (moto behind
# mlcloud-emulator's aws part), which is the only way this example reaches one.
# Credentials come from the standard AWS chain.

provider "mlcloud" {
  aws {
    region = "us-east-1"

    endpoints {
      eks = var.aws_endpoint
      kms = var.aws_endpoint
      iam = var.aws_endpoint
      sts = var.aws_endpoint
      ec2 = var.aws_endpoint
    }
  }

  default_tags = { managed-by = "terraform" }
}

module "ml_platform" {
  source = "../.."

  name     = "ml-prod"
  location = "us-east-1"

  # The VPC is the platform team's own.
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids = ["sg-0123456789abcdef0"]

  # A weakening, by name: an API endpoint reachable from the office network only.
  public_endpoint_cidrs   = ["203.0.113.0/24"]
  control_plane_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  kubernetes_version       = "1.31"
  admin_principals         = ["arn:aws:iam::123456789012:role/platform-admins"]
  system_pool_machine_type = "m6i.large"
  system_pool_node_count   = 2
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ml-boundary"

  kms_rotation_period_days = 90
  kms_deletion_window_days = 30

  gpu_pools = {
    l4 = {
      accelerator   = "nvidia-l4"
      autoscaling   = { min = 1, max = 4 }
      capacity_type = "spot"
      disk_size_gb  = 200
      labels        = { workload = "inference" }
    }
    h100 = {
      accelerator           = "nvidia-h100-80gb"
      accelerators_per_node = 8
      node_count            = 1
      zones                 = ["us-east-1a"]
      labels                = { workload = "training" }
    }
  }
  cpu_serving_machine_type = "m6i.large"

  serving_pool               = "l4"
  serving_name               = "iris"
  serving_namespace          = "ml-serving"
  serving_image              = null # the provider's bundled smoke-test image
  serving_replicas           = 2
  serving_gpus_per_replica   = 1
  serving_allowed_namespaces = ["ml-clients"]
  model_name                 = "iris"
  model_uri                  = "s3://ml-models/iris/" # the workload role may read this prefix
  smoke_test_enabled         = true
  smoke_test_timeout         = "10m"

  tags = { team = "ml-platform", env = "prod" }
}
