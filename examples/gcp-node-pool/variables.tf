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
  description = "Name of the GKE cluster the pool joins (made here too)."
  type        = string
  default     = "ml-main"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{2,20}[a-z0-9]$", var.cluster_name))
    error_message = "The cluster_name must be 4 to 22 lowercase letters, digits or '-', starting with a letter and not ending with '-' (it also names a service account)."
  }
}

variable "pool_name" {
  description = "Name of the node pool."
  type        = string
  default     = "gpu-l4"
}

variable "accelerator_type" {
  description = "The GPU each node carries (see the mlcloud_accelerators data source)."
  type        = string
  default     = "nvidia-l4"
}

variable "accelerators_per_node" {
  description = "GPUs per node."
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

  validation {
    condition     = var.max_nodes >= 1
    error_message = "The max_nodes must be at least 1."
  }
}

variable "capacity_type" {
  description = "on_demand or spot."
  type        = string
  default     = "on_demand"

  validation {
    condition     = contains(["on_demand", "spot"], var.capacity_type)
    error_message = "The capacity_type must be \"on_demand\" or \"spot\"."
  }
}

variable "disk_size_gb" {
  description = "Boot disk size of each node in GiB."
  type        = number
  default     = 100
}

variable "labels" {
  description = "Kubernetes labels of the nodes."
  type        = map(string)
  default     = { workload = "inference" }
}

variable "tags" {
  description = "Labels of the cloud objects, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
