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

variable "name" {
  description = "Crypto key id; the key ring defaults to <name>-ring. Changing it replaces the key."
  type        = string
  default     = "ml-etcd"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,58}$", var.name))
    error_message = "The name may hold 1 to 58 letters, digits, '_' and '-'."
  }
}

variable "rotation_period_days" {
  description = "Days between automatic rotations (at least 1)."
  type        = number
  default     = 90

  validation {
    condition     = var.rotation_period_days >= 1 && floor(var.rotation_period_days) == var.rotation_period_days
    error_message = "The rotation_period_days must be a whole number of at least 1."
  }
}

variable "deletion_window_days" {
  description = "Days a destroyed key version stays recoverable before Cloud KMS destroys it (7 to 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30 && floor(var.deletion_window_days) == var.deletion_window_days
    error_message = "The deletion_window_days must be a whole number between 7 and 30."
  }
}

variable "tags" {
  description = "Labels of the key, over the default tags."
  type        = map(string)
  default     = { purpose = "etcd-encryption" }
}
