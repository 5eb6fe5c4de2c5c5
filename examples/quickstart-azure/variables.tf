variable "azure_resource_manager_endpoint" {
  description = "Azure Resource Manager URL, e.g. mlcloud-emulator's azure part. Null (the default): Azure's."
  type        = string
  default     = null

  validation {
    condition     = var.azure_resource_manager_endpoint == null ? true : can(regex("^https://", var.azure_resource_manager_endpoint))
    error_message = "The azure_resource_manager_endpoint must be an https:// URL, or null."
  }
}

variable "azure_active_directory_endpoint" {
  description = "Microsoft Entra token endpoint URL, e.g. mlcloud-emulator's azure part. Null (the default): Azure's."
  type        = string
  default     = null

  validation {
    condition     = var.azure_active_directory_endpoint == null ? true : can(regex("^https://", var.azure_active_directory_endpoint))
    error_message = "The azure_active_directory_endpoint must be an https:// URL, or null."
  }
}

variable "name" {
  description = "Name of the cluster, prefix of the key and identities."
  type        = string
  default     = "ml-quickstart"
}

variable "resource_group_name" {
  description = "Your resource group (scripts/try makes ml-platform in the emulator)."
  type        = string
  default     = "ml-platform"
}

variable "location" {
  description = "Azure region of the platform."
  type        = string
  default     = "westeurope"
}

variable "subnet_id" {
  description = "ARM id of your subnet for the cluster's nodes."
  type        = string
  default     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/nodes"
}
