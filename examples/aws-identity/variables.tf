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

variable "name_prefix" {
  description = "Prefix of the role names: <prefix>-cluster, <prefix>-node, <prefix>-<service_account>."
  type        = string
  default     = "ml"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9+=,.@_-]{0,40}$", var.name_prefix))
    error_message = "The name_prefix must start with a letter and hold at most 41 IAM name characters."
  }
}

variable "workload_cluster_id" {
  description = "ARN of the EKS cluster (mlcloud_cluster.id) whose service account gets a workload role; null creates no workload role."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Kubernetes namespace of the service account."
  type        = string
  default     = "ml-serving"
}

variable "service_account" {
  description = "Kubernetes service account that may assume the workload role."
  type        = string
  default     = "inference"
}

variable "kms_decrypt_key_arns" {
  description = "KMS key ARNs the workload may decrypt with (kms:Decrypt, kms:DescribeKey on each key only)."
  type        = list(string)
  default     = []
}

variable "model_store_read_uris" {
  description = "s3://bucket/prefix/ locations the workload may read (s3:GetObject under the prefix, s3:ListBucket limited to it)."
  type        = list(string)
  default     = ["s3://models-bucket/llama/"]

  validation {
    condition     = alltrue([for uri in var.model_store_read_uris : can(regex("^s3://[a-z0-9.-]{3,63}/", uri))])
    error_message = "Each model store must be an s3://bucket/prefix/ URI."
  }
}

variable "permissions_boundary_arn" {
  description = "Managed policy ARN set as the workload role's permissions boundary, if your organisation requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the roles, over the default tags."
  type        = map(string)
  default     = {}
}
