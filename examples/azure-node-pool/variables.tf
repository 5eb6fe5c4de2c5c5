variable "location" {
  description = "Azure region to create everything in."
  type        = string
  default     = "westeurope"

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "The location must be an Azure region name such as \"westeurope\"."
  }
}

variable "resource_group_name" {
  description = "An existing resource group to create everything in (mlcloud does not own resource groups)."
  type        = string
  default     = "ml-platform"
}

variable "azure_resource_manager_endpoint" {
  description = "Azure Resource Manager's URL, e.g. a local mlcloud-emulator. Null (the default) is the real Azure."
  type        = string
  default     = null

  validation {
    condition     = var.azure_resource_manager_endpoint == null || can(regex("^https://", var.azure_resource_manager_endpoint))
    error_message = "The azure_resource_manager_endpoint must be an https:// URL, or null."
  }
}

variable "azure_active_directory_endpoint" {
  description = "Microsoft Entra ID's URL (the token endpoint's host), e.g. a local mlcloud-emulator. Null (the default) is the real Azure."
  type        = string
  default     = null

  validation {
    condition     = var.azure_active_directory_endpoint == null || can(regex("^https://", var.azure_active_directory_endpoint))
    error_message = "The azure_active_directory_endpoint must be an https:// URL, or null."
  }
}

variable "default_tags" {
  description = "Tags applied to every resource, under each resource's own tags."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "cluster_name" {
  description = "Name of the AKS cluster the pool joins (made here too)."
  type        = string
  default     = "ml-main"
}

variable "pool_name" {
  description = "Agent pool name: a lowercase letter, then up to 11 lowercase letters or digits. Changing it replaces the pool."
  type        = string
  default     = "gput4"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,11}$", var.pool_name))
    error_message = "The pool_name must match ^[a-z][a-z0-9]{0,11}$ (AKS's rule for agent pool names)."
  }
}

variable "accelerator_type" {
  description = "GPU model, from the provider's catalog (see the mlcloud_accelerators data source), e.g. nvidia-t4, nvidia-a100-80gb, nvidia-h100-80gb."
  type        = string
  default     = "nvidia-t4"
}

variable "accelerators_per_node" {
  description = "GPUs per node; the catalog picks the smallest VM size with exactly that many."
  type        = number
  default     = 1
}

variable "min_nodes" {
  description = "Fewest nodes (0 lets the pool scale to zero)."
  type        = number
  default     = 0
}

variable "max_nodes" {
  description = "Most nodes."
  type        = number
  default     = 3
}

variable "capacity_type" {
  description = "on_demand or spot (evicted by deletion, at up to the on-demand price)."
  type        = string
  default     = "on_demand"

  validation {
    condition     = contains(["on_demand", "spot"], var.capacity_type)
    error_message = "The capacity_type must be on_demand or spot."
  }
}

variable "labels" {
  description = "Kubernetes labels of the nodes."
  type        = map(string)
  default     = { workload = "inference" }
}

variable "disk_size_gb" {
  description = "OS disk size of each node in GiB."
  type        = number
  default     = 128
}

variable "tags" {
  description = "Tags of the pool, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
