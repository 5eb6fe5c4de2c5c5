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

variable "kubernetes_endpoint" {
  description = "The clusters' Kubernetes API server URL, e.g. mlcloud-emulator's kubernetes part (EKS in moto has no API server of its own). Null (the default) is each cluster's own endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_endpoint == null || can(regex("^https://", var.kubernetes_endpoint))
    error_message = "The kubernetes_endpoint must be an https:// URL, or null."
  }
}

variable "aws_ca_certificate_file" {
  description = "A PEM file of extra CA certificates to trust (an emulator's test CA, a TLS-inspecting proxy). Null (the default) trusts the system's roots."
  type        = string
  default     = null
}

variable "cluster_name" {
  description = "Name of the EKS cluster; prefixes the key and roles."
  type        = string
  default     = "ml-serving"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,37}$", var.cluster_name))
    error_message = "The cluster_name must start with a letter and hold at most 38 letters, digits and hyphens."
  }
}

variable "accelerator_type" {
  description = "GPU of the serving node group, per the catalog (data source mlcloud_accelerators)."
  type        = string
  default     = "nvidia-l4"
}

variable "endpoint_name" {
  description = "Name of the endpoint's Deployment, Service and Kubernetes service account."
  type        = string
  default     = "iris"
}

variable "namespace" {
  description = "Namespace of the endpoint, created when absent."
  type        = string
  default     = "ml-serving"
}

variable "replicas" {
  description = "Model server pods (one GPU each); changed in place."
  type        = number
  default     = 1
}

variable "subnet_ids" {
  description = "At least two subnets, in different availability zones, for the cluster and its nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs at least two subnet_ids, in different availability zones."
  }
}

variable "model_store_uri" {
  description = "s3://bucket/prefix/ the inference workload reads models from."
  type        = string
  default     = "s3://models-bucket/llama/"

  validation {
    condition     = can(regex("^s3://[a-z0-9.-]{3,63}/", var.model_store_uri))
    error_message = "The model_store_uri must be an s3://bucket/prefix/ URI."
  }
}

variable "default_tags" {
  description = "Tags applied to every resource, under each resource's own tags."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "tags" {
  description = "Tags of every resource, over the default tags."
  type        = map(string)
  default     = {}
}
