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
  description = "Name of the AKS cluster; prefixes the key and identities."
  type        = string
  default     = "ml-serving"

  validation {
    condition     = can(regex("^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,50}[a-zA-Z0-9])?$", var.cluster_name))
    error_message = "The cluster_name must be 1 to 52 letters, digits, '-' or '_', starting and ending with a letter or digit."
  }
}

variable "accelerator_type" {
  description = "GPU of the serving pool, per the catalog (data source mlcloud_accelerators)."
  type        = string
  default     = "nvidia-t4"
}

variable "endpoint_name" {
  description = "Name of the endpoint's Deployment, Service and Kubernetes service account."
  type        = string
  default     = "iris"
}

variable "namespace" {
  description = "Namespace of the endpoint, created when absent."
  type        = string
  default     = "ml-serving"
}

variable "replicas" {
  description = "Model server pods; changed in place."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags of every resource, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
