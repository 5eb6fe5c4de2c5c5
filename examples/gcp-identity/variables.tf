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

variable "name_prefix" {
  description = "Prefix of the service account ids (<prefix>-nodes, <prefix>-cluster)."
  type        = string
  default     = "ml"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,21}$", var.name_prefix))
    error_message = "The name_prefix must be 2 to 22 lowercase letters, digits or '-', starting with a letter, so each account id is 6 to 30 characters."
  }
}

variable "tags" {
  description = "Labels of the identities, over the default tags."
  type        = map(string)
  default     = { team = "ml-platform" }
}
