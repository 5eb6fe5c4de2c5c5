# Every input of the module. `cloud` picks where the platform goes; the other clouds'
# objects may stay set (a team keeps all three and switches). The provider has a block
# per cloud; only the chosen cloud's is used.

provider "mlcloud" {
  aws {
    region = "us-east-1"
  }
  azure {}
  gcp {
    project = "ml-platform-prod"
    region  = "us-central1"
  }

  default_tags = { managed-by = "terraform" }
}

module "ml_platform" {
  source = "../.."

  cloud    = var.cloud
  name     = "ml-prod"
  location = var.cloud == "azure" ? "westeurope" : null

  aws = {
    subnet_ids               = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    security_group_ids       = ["sg-0123456789abcdef0"]
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ml-boundary"
  }
  azure = {
    resource_group_name      = "ml-platform"
    subnet_id                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
    key_vault_id             = null
    model_store_container_id = null
  }
  gcp = {
    project                = null
    network                = "ml-vpc"
    subnetwork             = "ml-nodes-us-central1"
    master_ipv4_cidr_block = "172.16.0.32/28"
    kms_protection_level   = "HSM"
    tpu_pools = {
      v5e = { accelerator = "tpu-v5e", chips_per_node = 4, topology = "2x4", node_count = 2 }
    }
  }

  public_endpoint_cidrs    = ["203.0.113.0/24"]
  kubernetes_version       = "1.31"
  admin_principals         = null # the identity Terraform runs as
  control_plane_log_types  = null # every type the cloud has
  system_pool_machine_type = null
  system_pool_node_count   = 2
  kms_rotation_period_days = 90
  kms_deletion_window_days = 30

  gpu_pools = {
    gpu = {
      accelerator   = "nvidia-l4"
      autoscaling   = { min = 1, max = 4 }
      capacity_type = "spot"
      disk_size_gb  = 200
      labels        = { workload = "inference" }
    }
  }
  cpu_serving_machine_type = null

  serving_pool               = "gpu"
  serving_name               = "iris"
  serving_namespace          = "ml-serving"
  serving_image              = null
  serving_replicas           = 2
  serving_gpus_per_replica   = 1
  serving_allowed_namespaces = ["ml-clients"]
  model_name                 = "iris"
  model_uri                  = null
  smoke_test_enabled         = true
  smoke_test_timeout         = "10m"

  tags = { team = "ml-platform", env = "prod" }
}
