variable "name" {
  description = "Name of the EKS cluster, prefix of the key and roles."
  type        = string
  default     = "ml-quickstart"
}

variable "subnet_ids" {
  description = "Two or more private subnets of your VPC, in different availability zones (scripts/try makes them in moto)."
  type        = list(string)
}

variable "aws_region" {
  description = "AWS region of the platform."
  type        = string
  default     = "us-east-1"
}

variable "aws_endpoint" {
  description = "One URL for every AWS service (EKS, KMS, IAM, STS, EC2), e.g. mlcloud-emulator's aws part. Null (the default): AWS's."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint == null ? true : can(regex("^https?://", var.aws_endpoint))
    error_message = "The aws_endpoint must be an http:// or https:// URL, or null."
  }
}

variable "kubernetes_endpoint" {
  description = "The cluster's Kubernetes API server URL, e.g. mlcloud-emulator's (EKS in moto has no API server). Null (the default): the cluster's own endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_endpoint == null ? true : can(regex("^https://", var.kubernetes_endpoint))
    error_message = "The kubernetes_endpoint must be an https:// URL, or null."
  }
}

variable "aws_ca_certificate_file" {
  description = "A PEM file of extra CA certificates to trust (the emulator's test CA, a TLS-inspecting proxy). Null (the default): the system's roots."
  type        = string
  default     = null
}
