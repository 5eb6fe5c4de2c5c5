variable "gcp_project" {
  description = "Google Cloud project to create everything in. Null (the default) takes GOOGLE_CLOUD_PROJECT."
  type        = string
  default     = null
}

variable "gcp_region" {
  description = "Google Cloud region to create everything in."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gcp_region))
    error_message = "The gcp_region must be a Google Cloud region name such as \"us-central1\"."
  }
}

variable "gcp_credentials" {
  description = "A service account key or workload identity federation file (path or contents). Null (the default) uses Application Default Credentials."
  type        = string
  default     = null
  sensitive   = true
}

variable "gcp_endpoint" {
  description = "One URL for every Google API (GKE, Cloud KMS, IAM, Resource Manager, OAuth), e.g. mlcloud-emulator's gcp part. Null (the default) uses Google's endpoints."
  type        = string
  default     = null

  validation {
    condition     = var.gcp_endpoint == null || can(regex("^https?://", var.gcp_endpoint))
    error_message = "The gcp_endpoint must be an http:// or https:// URL, or null."
  }
}

variable "default_tags" {
  description = "Labels applied to every resource, under each resource's own tags (lowercase keys and values, at most 63 characters)."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "cluster_name" {
  description = "Name of the GKE cluster, prefix of its key and node service account."
  type        = string
  default     = "ml-main"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{2,20}[a-z0-9]$", var.cluster_name))
    error_message = "The cluster_name must be 4 to 22 lowercase letters, digits or '-', starting with a letter and not ending with '-' (it also names a service account)."
  }
}

variable "system_node_count" {
  description = "Nodes of the system pool."
  type        = number
  default     = 1
}

variable "endpoint_access" {
  description = "private (default): the API server only on the VPC; public: also from authorized_cidrs."
  type        = string
  default     = "private"

  validation {
    condition     = contains(["private", "public"], var.endpoint_access)
    error_message = "The endpoint_access must be \"private\" or \"public\"."
  }
}

variable "authorized_cidrs" {
  description = "Networks allowed to reach a public endpoint."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Labels of the cluster, its key and identity, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
