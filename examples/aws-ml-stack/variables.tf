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
  description = "The URL of every cluster's Kubernetes API server, e.g. a local emulator in front of moto (which has none). Null (the default) uses each cluster's own endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_endpoint == null || can(regex("^https://", var.kubernetes_endpoint))
    error_message = "The kubernetes_endpoint must be an https:// URL, or null."
  }
}

variable "ca_certificate_file" {
  description = "A PEM file of extra CA certificates to trust for AWS and Kubernetes connections (an emulator's or a TLS-inspecting proxy's CA). Null (the default) trusts the system's roots only."
  type        = string
  default     = null
}

variable "default_tags" {
  description = "Tags applied to every resource, under each resource's own tags."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "name" {
  description = "Cluster name, and the prefix of the key and role names."
  type        = string
  default     = "ml-platform"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,37}$", var.name))
    error_message = "The name must start with a letter and hold at most 38 letters, digits and hyphens."
  }
}

variable "gpu_type" {
  description = "GPU of the inference nodes, per the catalog (data source mlcloud_accelerators)."
  type        = string
  default     = "nvidia-l4"
}

variable "gpus_per_node" {
  description = "GPUs per inference node."
  type        = number
  default     = 1
}

variable "gpu_node_count" {
  description = "Inference nodes."
  type        = number
  default     = 1
}

variable "gpu_capacity_type" {
  description = "\"on_demand\" or \"spot\" for the inference nodes."
  type        = string
  default     = "on_demand"

  validation {
    condition     = contains(["on_demand", "spot"], var.gpu_capacity_type)
    error_message = "The gpu_capacity_type must be \"on_demand\" or \"spot\"."
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

variable "serving_namespace" {
  description = "Kubernetes namespace of the inference service account."
  type        = string
  default     = "ml-serving"
}

variable "serving_service_account" {
  description = "Kubernetes service account of the inference pods."
  type        = string
  default     = "inference"
}

variable "subnet_ids" {
  description = "At least two subnets, in different availability zones, for the cluster and its nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs at least two subnet_ids, in different availability zones."
  }
}

variable "security_group_ids" {
  description = "Extra security groups for the control plane's network interfaces."
  type        = list(string)
  default     = []
}

variable "kubernetes_version" {
  description = "Kubernetes minor version, e.g. \"1.31\"."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as \"1.31\"."
  }
}

variable "endpoint_access" {
  description = "\"private\": the API server is reachable from the VPC only. \"public\": also from authorized_cidrs."
  type        = string
  default     = "private"

  validation {
    condition     = contains(["private", "public"], var.endpoint_access)
    error_message = "The endpoint_access must be \"private\" or \"public\"."
  }
}

variable "authorized_cidrs" {
  description = "CIDRs that may reach a public API endpoint; required when endpoint_access is \"public\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.authorized_cidrs : can(cidrhost(cidr, 0))])
    error_message = "Each authorized_cidrs entry must be a CIDR such as \"203.0.113.0/24\"."
  }
}

variable "tags" {
  description = "Tags of every resource, over the default tags."
  type        = map(string)
  default     = {}
}
