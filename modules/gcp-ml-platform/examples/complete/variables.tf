variable "gcp_project" {
  description = "Google Cloud project to create everything in."
  type        = string
}

variable "gcp_credentials" {
  description = "A service account key or workload identity federation file (path or contents). Null (the default) uses Application Default Credentials."
  type        = string
  default     = null
  sensitive   = true
}

variable "gcp_endpoint" {
  description = "One URL for every Google API, e.g. mlcloud-emulator's gcp part. Null (the default) uses Google's endpoints."
  type        = string
  default     = null

  validation {
    condition     = var.gcp_endpoint == null ? true : can(regex("^https?://", var.gcp_endpoint))
    error_message = "The gcp_endpoint must be an http:// or https:// URL, or null."
  }
}
