variable "gcp_project" {
  description = "Google Cloud project to create everything in. Null (the default) takes GOOGLE_CLOUD_PROJECT."
  type        = string
  default     = null
}

variable "gcp_region" {
  description = "Google Cloud region of the platform."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gcp_region))
    error_message = "The gcp_region must be a Google Cloud region such as \"us-central1\"."
  }
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

variable "name" {
  description = "Name of the cluster, prefix of the key and service accounts."
  type        = string
  default     = "ml-quickstart"
}

variable "network" {
  description = "Your VPC network."
  type        = string
  default     = "default"
}

variable "subnetwork" {
  description = "Your subnetwork in gcp_region."
  type        = string
  default     = "default"
}
