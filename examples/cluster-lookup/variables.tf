variable "aws_region" {
  description = "The region the cluster is in."
  type        = string
  default     = "us-east-1"
}

variable "cluster_name" {
  description = "The EKS cluster's name."
  type        = string
  default     = "ml-main"
}
