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
  description = "Name of the GKE cluster; prefixes the key and service accounts."
  type        = string
  default     = "ml-serving"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{2,18}[a-z0-9]$", var.cluster_name))
    error_message = "The cluster_name must be 4 to 20 lowercase letters, digits or '-', starting with a letter and not ending with '-' (it also prefixes service account ids)."
  }
}

variable "accelerator_type" {
  description = "The GPU of the serving pool (see the mlcloud_accelerators data source)."
  type        = string
  default     = "nvidia-l4"
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
  description = "Model server pods (one GPU each); changed in place."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Labels of every resource, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
