variable "aws_region" {
  description = "The region the cluster is in."
  type        = string
  default     = "us-east-1"
}

variable "cluster_id" {
  description = "The cluster's id (an mlcloud_cluster's `id`; an EKS cluster ARN here)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:eks:[a-z0-9-]+:[0-9]{12}:cluster/.+$", var.cluster_id))
    error_message = "The cluster_id must be an EKS cluster ARN such as \"arn:aws:eks:us-east-1:123456789012:cluster/ml-main\"."
  }
}
