variable "aws_region" {
  description = "AWS region to create everything in."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.aws_region))
    error_message = "The aws_region must be an AWS region name such as \"us-east-1\"."
  }
}

variable "aws_endpoint" {
  description = "One URL for every AWS service (EKS, KMS, IAM, STS, EC2), e.g. a local moto server. Null (the default) uses the real AWS endpoints."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint == null || can(regex("^https?://", var.aws_endpoint))
    error_message = "The aws_endpoint must be an http:// or https:// URL, or null."
  }
}

variable "default_tags" {
  description = "Tags applied to every resource, under each resource's own tags."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "name" {
  description = "Key name; the alias becomes alias/<name>. Changing it replaces the key."
  type        = string
  default     = "ml-etcd"

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.name)) && !can(regex("^aws/", var.name))
    error_message = "The name may hold letters, digits, '/', '_' and '-', and must not start with \"aws/\"."
  }
}

variable "description" {
  description = "What the key is for, as KMS shows it."
  type        = string
  default     = "Encrypts Kubernetes secrets of the ML platform"
}

variable "rotation_period_days" {
  description = "Days between automatic rotations of the key material (AWS: 90 to 2560)."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_days >= 90 && var.rotation_period_days <= 2560 && floor(var.rotation_period_days) == var.rotation_period_days
    error_message = "The rotation_period_days must be a whole number between 90 and 2560."
  }
}

variable "deletion_window_days" {
  description = "Days KMS waits before deleting the key once it is destroyed (7 to 30); it can be cancelled until then."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30 && floor(var.deletion_window_days) == var.deletion_window_days
    error_message = "The deletion_window_days must be a whole number between 7 and 30."
  }
}

variable "tags" {
  description = "Tags of the key, over the default tags."
  type        = map(string)
  default     = { purpose = "etcd-encryption" }
}
