# One platform, any cloud: `cloud` picks aws-ml-platform, azure-ml-platform or
# gcp-ml-platform, and the inputs the clouds share go to it unchanged. What only one
# cloud has (its network, TPUs, a Key Vault) comes in that cloud's object. Each cloud
# module checks its inputs again with its own rules, and says which one is wrong.

locals {
  gpu_pools = { for name, pool in var.gpu_pools : name => {
    accelerator           = pool.accelerator
    accelerators_per_node = pool.accelerators_per_node
    node_count            = pool.node_count
    autoscaling           = pool.autoscaling
    capacity_type         = pool.capacity_type
    disk_size_gb          = pool.disk_size_gb
    zones                 = pool.zones
    labels                = pool.labels
  } }
}

module "aws" {
  source = "../aws-ml-platform"
  count  = var.cloud == "aws" && var.aws != null ? 1 : 0

  name                     = var.name
  location                 = var.location
  subnet_ids               = try(var.aws.subnet_ids, null)
  security_group_ids       = try(var.aws.security_group_ids, [])
  permissions_boundary_arn = try(var.aws.permissions_boundary_arn, null)

  public_endpoint_cidrs    = var.public_endpoint_cidrs
  kubernetes_version       = var.kubernetes_version
  admin_principals         = var.admin_principals
  control_plane_log_types  = coalesce(var.control_plane_log_types, ["api", "audit", "authenticator", "controllerManager", "scheduler"])
  system_pool_machine_type = var.system_pool_machine_type
  system_pool_node_count   = coalesce(var.system_pool_node_count, 2)
  kms_rotation_period_days = var.kms_rotation_period_days
  kms_deletion_window_days = var.kms_deletion_window_days
  gpu_pools                = local.gpu_pools
  cpu_serving_machine_type = coalesce(var.cpu_serving_machine_type, "m6i.large")

  serving_pool               = var.serving_pool
  serving_name               = var.serving_name
  serving_namespace          = var.serving_namespace
  serving_image              = var.serving_image
  serving_replicas           = var.serving_replicas
  serving_gpus_per_replica   = var.serving_gpus_per_replica
  serving_allowed_namespaces = var.serving_allowed_namespaces
  model_name                 = var.model_name
  model_uri                  = var.model_uri
  smoke_test_enabled         = var.smoke_test_enabled
  smoke_test_timeout         = var.smoke_test_timeout
  tags                       = var.tags
}

module "azure" {
  source = "../azure-ml-platform"
  count  = var.cloud == "azure" && var.azure != null ? 1 : 0

  name                = var.name
  location            = var.location
  resource_group_name = try(var.azure.resource_group_name, null)
  subnet_id           = try(var.azure.subnet_id, null)
  key_vault_id        = try(var.azure.key_vault_id, null)

  public_endpoint_cidrs    = var.public_endpoint_cidrs
  kubernetes_version       = var.kubernetes_version
  admin_principals         = var.admin_principals
  system_pool_machine_type = var.system_pool_machine_type
  system_pool_node_count   = coalesce(var.system_pool_node_count, 2)
  kms_rotation_period_days = var.kms_rotation_period_days
  gpu_pools                = local.gpu_pools
  cpu_serving_machine_type = coalesce(var.cpu_serving_machine_type, "Standard_D4ds_v5")

  serving_pool               = var.serving_pool
  serving_name               = var.serving_name
  serving_namespace          = var.serving_namespace
  serving_image              = var.serving_image
  serving_replicas           = var.serving_replicas
  serving_gpus_per_replica   = var.serving_gpus_per_replica
  serving_allowed_namespaces = var.serving_allowed_namespaces
  model_name                 = var.model_name
  model_uri                  = var.model_uri
  model_store_container_id   = try(var.azure.model_store_container_id, null)
  smoke_test_enabled         = var.smoke_test_enabled
  smoke_test_timeout         = var.smoke_test_timeout
  tags                       = var.tags
}

module "gcp" {
  source = "../gcp-ml-platform"
  count  = var.cloud == "gcp" && var.gcp != null ? 1 : 0

  name                   = var.name
  location               = var.location
  project                = try(var.gcp.project, null)
  network                = try(var.gcp.network, null)
  subnetwork             = try(var.gcp.subnetwork, null)
  master_ipv4_cidr_block = try(var.gcp.master_ipv4_cidr_block, "172.16.0.0/28")
  kms_protection_level   = try(var.gcp.kms_protection_level, "HSM")

  public_endpoint_cidrs    = var.public_endpoint_cidrs
  kubernetes_version       = var.kubernetes_version
  admin_principals         = var.admin_principals
  control_plane_log_types  = coalesce(var.control_plane_log_types, ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"])
  system_pool_machine_type = var.system_pool_machine_type
  system_pool_node_count   = coalesce(var.system_pool_node_count, 1)
  kms_rotation_period_days = var.kms_rotation_period_days
  kms_deletion_window_days = var.kms_deletion_window_days
  gpu_pools                = local.gpu_pools
  tpu_pools                = try(var.gcp.tpu_pools, {})
  cpu_serving_machine_type = coalesce(var.cpu_serving_machine_type, "e2-standard-4")

  serving_pool               = var.serving_pool
  serving_name               = var.serving_name
  serving_namespace          = var.serving_namespace
  serving_image              = var.serving_image
  serving_replicas           = var.serving_replicas
  serving_gpus_per_replica   = var.serving_gpus_per_replica
  serving_allowed_namespaces = var.serving_allowed_namespaces
  model_name                 = var.model_name
  model_uri                  = var.model_uri
  smoke_test_enabled         = var.smoke_test_enabled
  smoke_test_timeout         = var.smoke_test_timeout
  tags                       = var.tags
}
