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

variable "name_prefix" {
  description = "Prefix of the identities' names."
  type        = string
  default     = "ml"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,100}$", var.name_prefix))
    error_message = "The name_prefix must start with a letter or digit and hold letters, digits, '-' and '_'."
  }
}

variable "cluster_id" {
  description = "The ARM id of an AKS cluster made by mlcloud_cluster; with it, a workload identity for the service account is made too."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Namespace of the workload's service account."
  type        = string
  default     = "serving"
}

variable "service_account" {
  description = "Name of the workload's service account."
  type        = string
  default     = "inference"
}

variable "decrypt_key_refs" {
  description = "key_refs of mlcloud_kms_keys the workload may decrypt with (Key Vault Crypto User on each key)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of the identities, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
