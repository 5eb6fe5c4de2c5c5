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
  description = "AKS cluster name; also names its key and identity. Changing it replaces the cluster."
  type        = string
  default     = "ml-main"

  validation {
    condition     = can(regex("^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$", var.cluster_name))
    error_message = "The cluster_name must be 1 to 63 letters, digits, '-' or '_', starting and ending with a letter or digit."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version, e.g. \"1.33\"; null takes AKS's default."
  type        = string
  default     = null
}

variable "system_node_count" {
  description = "Nodes of the system pool."
  type        = number
  default     = 2

  validation {
    condition     = var.system_node_count >= 1 && var.system_node_count <= 100 && floor(var.system_node_count) == var.system_node_count
    error_message = "The system_node_count must be a whole number between 1 and 100."
  }
}

variable "tags" {
  description = "Tags of the cluster, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
