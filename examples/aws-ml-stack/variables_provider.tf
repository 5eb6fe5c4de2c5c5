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
