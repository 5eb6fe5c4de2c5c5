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

variable "subnet_ids" {
  description = "At least two subnets, in different availability zones, for the cluster and its nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs at least two subnet_ids, in different availability zones."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster the pool joins (created in prerequisites.tf)."
  type        = string
  default     = "ml-main"
}

variable "pool_name" {
  description = "Node group name; changing it replaces the pool."
  type        = string
  default     = "gpu-l4"
}

variable "accelerator_type" {
  description = "GPU per the catalog (data source mlcloud_accelerators), e.g. nvidia-l4, nvidia-a10g, nvidia-h100-80gb."
  type        = string
  default     = "nvidia-l4"
}

variable "accelerators_per_node" {
  description = "GPUs per node; the catalog picks the smallest instance type with exactly this many."
  type        = number
  default     = 1
}

variable "min_nodes" {
  description = "Fewest nodes; 0 lets the pool scale to nothing when idle."
  type        = number
  default     = 0
}

variable "max_nodes" {
  description = "Most nodes."
  type        = number
  default     = 2

  validation {
    condition     = var.max_nodes >= 1
    error_message = "The max_nodes must be at least 1."
  }
}

variable "capacity_type" {
  description = "\"on_demand\" or \"spot\" (cheaper, may be reclaimed). Changing it replaces the pool."
  type        = string
  default     = "on_demand"

  validation {
    condition     = contains(["on_demand", "spot"], var.capacity_type)
    error_message = "The capacity_type must be \"on_demand\" or \"spot\"."
  }
}

variable "disk_size_gb" {
  description = "Root volume size of each node, in GiB (room for model images)."
  type        = number
  default     = 100
}

variable "labels" {
  description = "Kubernetes labels of the nodes."
  type        = map(string)
  default     = { workload = "inference" }
}

variable "tags" {
  description = "Tags of every resource, over the default tags."
  type        = map(string)
  default     = {}
}
