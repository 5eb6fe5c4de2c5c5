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

variable "name" {
  description = "Key name (the dedicated vault's name is derived from it). Changing it replaces the key."
  type        = string
  default     = "ml-etcd"

  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{1,127}$", var.name))
    error_message = "The name may hold 1 to 127 letters, digits and '-'."
  }
}

variable "rotation_period_days" {
  description = "Days between automatic rotations of the key (Key Vault: at least 7)."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_days >= 7 && floor(var.rotation_period_days) == var.rotation_period_days
    error_message = "The rotation_period_days must be a whole number of at least 7."
  }
}

variable "tags" {
  description = "Tags of the key, over the default tags."
  type        = map(string)
  default     = { purpose = "etcd-encryption" }
}
