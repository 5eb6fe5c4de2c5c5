variable "cloud" {
  description = "Where the platform goes: aws, azure or gcp."
  type        = string
  default     = "gcp"

  validation {
    condition     = contains(["aws", "azure", "gcp"], var.cloud)
    error_message = "The cloud must be \"aws\", \"azure\" or \"gcp\"."
  }
}
