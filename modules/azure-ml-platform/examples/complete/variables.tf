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
