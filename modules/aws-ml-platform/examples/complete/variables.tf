variable "aws_endpoint" {
  description = "One URL for every AWS API (EKS, KMS, IAM, STS, EC2), e.g. moto behind mlcloud-emulator's aws part. Null (the default): AWS's endpoints."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint == null ? true : can(regex("^https?://", var.aws_endpoint))
    error_message = "The aws_endpoint must be an http:// or https:// URL, or null."
  }
}
