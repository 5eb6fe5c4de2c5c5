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

variable "cluster_name" {
  description = "EKS cluster name; also the prefix of its key and roles."
  type        = string
  default     = "ml-main"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,37}$", var.cluster_name))
    error_message = "The cluster_name must start with a letter and hold at most 38 letters, digits and hyphens."
  }
}

variable "system_machine_type" {
  description = "Instance type of the system node group."
  type        = string
  default     = "m6i.large"
}

variable "system_node_count" {
  description = "Nodes in the system node group (1 to 100)."
  type        = number
  default     = 2

  validation {
    condition     = var.system_node_count >= 1 && var.system_node_count <= 100
    error_message = "The system_node_count must be between 1 and 100."
  }
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

variable "admin_principals" {
  description = "IAM role or user ARNs that administer the cluster (EKS access entries with AmazonEKSClusterAdminPolicy). Empty: whoever runs Terraform, as STS names them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.admin_principals : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Each admin_principals entry must be an IAM role or user ARN such as \"arn:aws:iam::111122223333:role/platform-admin\"."
  }
}

variable "tags" {
  description = "Tags of every resource, over the default tags."
  type        = map(string)
  default     = {}
}
