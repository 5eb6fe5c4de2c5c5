# ---------------------------------------------------------------- where

variable "name" {
  description = "Name of the EKS cluster; also prefixes the key alias (`alias/NAME-secrets`) and the IAM roles (`NAME-cluster`, `NAME-node`, `NAME-serving`)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][-a-zA-Z0-9]{0,54}[a-zA-Z0-9]$", var.name))
    error_message = "The name must be 2 to 56 letters, digits or '-', starting with a letter and ending with a letter or digit (with the suffix \"-serving\" it must still be an IAM role name, at most 64 characters)."
  }
}

variable "location" {
  description = "AWS region of every resource. Null (the default) takes the provider's `aws { region }`, else AWS_REGION."
  type        = string
  default     = null

  validation {
    condition     = var.location == null ? true : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.location))
    error_message = "The location must be an AWS region such as \"us-east-1\"."
  }
}

# ---------------------------------------------------------------- network (the caller's)

variable "subnet_ids" {
  description = "Private subnets of the caller's VPC, in at least two availability zones: the control plane's network interfaces and the nodes. The network is the caller's; this module creates none."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "The subnet_ids must be at least two subnet ids such as \"subnet-0123456789abcdef0\", in different availability zones (EKS needs two)."
  }
}

variable "security_group_ids" {
  description = "Extra security groups for the control plane's network interfaces."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "Each of security_group_ids must be a security group id such as \"sg-0123456789abcdef0\"."
  }
}

# ---------------------------------------------------------------- cluster

variable "public_endpoint_cidrs" {
  description = "Weakens the default private API endpoint: the API server also answers on a public IP, to these networks only. Every network listed can try credentials against the cluster's API. Empty (the default): private endpoint, reachable only from the VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.public_endpoint_cidrs : can(cidrhost(cidr, 0))])
    error_message = "Each of public_endpoint_cidrs must be a CIDR block such as \"203.0.113.0/24\"."
  }

  validation {
    condition     = !anytrue([for cidr in var.public_endpoint_cidrs : can(regex("/0$", cidr))])
    error_message = "public_endpoint_cidrs must not hold 0.0.0.0/0 (or any /0): it opens the cluster's API server to the whole internet. List the networks of your offices, VPN or CI runners instead."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster, e.g. \"1.31\". Null (the default): EKS's default version. Upgrades happen in place."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_version == null ? true : can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as \"1.31\"."
  }
}

variable "admin_principals" {
  description = "Who administers the cluster: IAM role or user ARNs, each an EKS access entry with AmazonEKSClusterAdminPolicy (there is no hidden creator-admin). Null (the default): the caller, as STS names it."
  type        = set(string)
  default     = null

  validation {
    condition     = var.admin_principals == null ? true : alltrue([for p in var.admin_principals : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", p))])
    error_message = "Each of admin_principals must be an IAM role or user ARN such as \"arn:aws:iam::123456789012:role/platform-admins\"."
  }
}

variable "control_plane_log_types" {
  description = "EKS control-plane log types sent to CloudWatch Logs. Default: all of them (api, audit, authenticator, controllerManager, scheduler). Leaving one out weakens the audit trail: without audit nothing records who changed what in the cluster."
  type        = set(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = length(var.control_plane_log_types) > 0
    error_message = "control_plane_log_types must not be empty: that turns off control-plane logging, and nothing would record who changed the cluster. The default logs every type."
  }

  validation {
    condition     = alltrue([for t in var.control_plane_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "Each of control_plane_log_types must be one of api, audit, authenticator, controllerManager, scheduler."
  }
}

variable "system_pool_machine_type" {
  description = "Instance type of the system node group (DNS, networking, controllers). Null (the default): m6i.large."
  type        = string
  default     = null

  validation {
    condition     = var.system_pool_machine_type == null ? true : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.system_pool_machine_type))
    error_message = "The system_pool_machine_type must be an EC2 instance type such as \"m6i.large\"."
  }
}

variable "system_pool_node_count" {
  description = "Nodes of the system node group."
  type        = number
  default     = 2

  validation {
    condition     = var.system_pool_node_count >= 1 && var.system_pool_node_count <= 100 && floor(var.system_pool_node_count) == var.system_pool_node_count
    error_message = "The system_pool_node_count must be a whole number from 1 to 100."
  }
}

variable "permissions_boundary_arn" {
  description = "A permissions boundary for every IAM role the module makes, where the account requires one. Null (the default): none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "The permissions_boundary_arn must be an IAM policy ARN such as \"arn:aws:iam::123456789012:policy/boundary\"."
  }
}

# ---------------------------------------------------------------- encryption key

variable "kms_rotation_period_days" {
  description = "Days between automatic rotations of the KMS key."
  type        = number
  default     = 90

  validation {
    condition     = var.kms_rotation_period_days >= 90 && var.kms_rotation_period_days <= 365 && floor(var.kms_rotation_period_days) == var.kms_rotation_period_days
    error_message = "The kms_rotation_period_days must be a whole number from 90 (AWS KMS's shortest) to 365: a key used longer than a year without rotation protects more data with one key version than key-management guidance allows."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a deleted key stays recoverable before AWS KMS deletes it (and with it every secret it encrypts)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "The kms_deletion_window_days must be a whole number from 7 to 30: a shorter window leaves too little time to undo a mistaken destroy, after which the cluster's secrets cannot be decrypted."
  }
}

variable "gpu_pools" {
  description = <<-EOT
    GPU node pools, by pool name. Each: `accelerator` (an mlcloud accelerator name such as "nvidia-l4"),
    `accelerators_per_node` (default 1), `node_count` (default 1) or `autoscaling = { min, max }`,
    `capacity_type` ("on_demand", the default, or "spot"), `disk_size_gb`, `zones`, `labels`,
    Every pool (an EKS managed node group on the GPU AMI) is tainted
    nvidia.com/gpu=present:NoSchedule. The serving endpoint runs on `serving_pool`, else on the
    first of these by name; with none, on a small CPU pool this module adds.
  EOT
  type = map(object({
    accelerator           = string
    accelerators_per_node = optional(number, 1)
    node_count            = optional(number, 1)
    autoscaling = optional(object({
      min = number
      max = number
    }))
    capacity_type = optional(string, "on_demand")
    disk_size_gb  = optional(number)
    zones         = optional(set(string))
    labels        = optional(map(string), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.gpu_pools) : can(regex("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$", name))])
    error_message = "Each gpu_pools key is a node group name: 1 to 40 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : contains(["nvidia-t4", "nvidia-l4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h200"], p.accelerator)])
    error_message = "Each gpu_pools accelerator must be a GPU: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h200 (AWS offers no TPUs)."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.accelerators_per_node >= 1 && p.accelerators_per_node <= 16 && floor(p.accelerators_per_node) == p.accelerators_per_node])
    error_message = "Each gpu_pools accelerators_per_node must be a whole number from 1 to 16."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.node_count >= 1 && p.node_count <= 1000 && floor(p.node_count) == p.node_count])
    error_message = "Each gpu_pools node_count must be a whole number from 1 to 1000 (use autoscaling with min = 0 to scale to zero)."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.autoscaling == null ? true : (p.autoscaling.min >= 0 && p.autoscaling.min < p.autoscaling.max && p.autoscaling.max <= 1000)])
    error_message = "Each gpu_pools autoscaling needs 0 <= min < max <= 1000 (for a fixed size, use node_count)."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : contains(["on_demand", "spot"], p.capacity_type)])
    error_message = "Each gpu_pools capacity_type must be \"on_demand\" or \"spot\"."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.disk_size_gb == null ? true : (p.disk_size_gb >= 20 && p.disk_size_gb <= 16384)])
    error_message = "Each gpu_pools disk_size_gb must be from 20 to 16384 GiB, or null for EKS's default."
  }

}

variable "cpu_serving_machine_type" {
  description = "Instance type of the one-node CPU pool made for the serving endpoint when gpu_pools is empty (and no serving_pool is named)."
  type        = string
  default     = "m6i.large"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.cpu_serving_machine_type))
    error_message = "The cpu_serving_machine_type must be an EC2 instance type such as \"m6i.large\"."
  }
}

# ---------------------------------------------------------------- serving

variable "serving_pool" {
  description = "The gpu_pools key whose nodes run the serving endpoint. Null (the default): the first GPU pool by name, or a CPU pool this module adds when gpu_pools is empty."
  type        = string
  default     = null

  validation {
    condition     = var.serving_pool == null ? true : can(regex("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$", var.serving_pool))
    error_message = "The serving_pool must be a gpu_pools key (a node pool name), or null."
  }
}

variable "serving_name" {
  description = "Name of the serving endpoint's Deployment, Service and Kubernetes service account (bound to the workload identity)."
  type        = string
  default     = "inference"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.serving_name))
    error_message = "The serving_name must be 1 to 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (it names a Kubernetes Service)."
  }
}

variable "serving_namespace" {
  description = "Kubernetes namespace of the serving endpoint (created when absent)."
  type        = string
  default     = "ml-serving"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.serving_namespace))
    error_message = "The serving_namespace must be a Kubernetes namespace name: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "serving_image" {
  description = "The model server's image. Null (the default): the provider's bundled smoke-test image, which serves the iris model."
  type        = string
  default     = null
}

variable "serving_replicas" {
  description = "Pods of the serving endpoint."
  type        = number
  default     = 1

  validation {
    condition     = var.serving_replicas >= 1 && var.serving_replicas <= 1000 && floor(var.serving_replicas) == var.serving_replicas
    error_message = "The serving_replicas must be a whole number from 1 to 1000."
  }
}

variable "serving_gpus_per_replica" {
  description = "GPUs each serving pod requests on a GPU pool (ignored on the CPU pool)."
  type        = number
  default     = 1

  validation {
    condition     = var.serving_gpus_per_replica >= 1 && var.serving_gpus_per_replica <= 16 && floor(var.serving_gpus_per_replica) == var.serving_gpus_per_replica
    error_message = "The serving_gpus_per_replica must be a whole number from 1 to 16, at most the pool's accelerators_per_node."
  }
}

variable "serving_allowed_namespaces" {
  description = "Namespaces whose pods may call the model, besides its own; the endpoint's NetworkPolicy refuses every other caller."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for ns in var.serving_allowed_namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ns))])
    error_message = "Each of serving_allowed_namespaces must be a Kubernetes namespace name: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "model_name" {
  description = "The model's name in the Open Inference Protocol paths (`/v2/models/NAME`). The bundled image serves \"iris\"."
  type        = string
  default     = "iris"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", var.model_name))
    error_message = "The model_name must be 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit."
  }
}

variable "model_uri" {
  description = "Where the server loads the model from, an S3 prefix (`s3://BUCKET/PREFIX/`); the workload role may read that prefix and nothing else. Null (the default): the model inside the image, and no grant."
  type        = string
  default     = null

  validation {
    condition     = var.model_uri == null ? true : can(regex("^s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9]/(.+/)?$", var.model_uri))
    error_message = "The model_uri must be an S3 prefix ending in '/', such as \"s3://ml-models/iris/\"."
  }
}

variable "smoke_test_enabled" {
  description = "Whether apply ends with a real inference request to the endpoint. Turning it off loses the proof that the model answers: an apply can then succeed with a server that returns errors."
  type        = bool
  default     = true
}

variable "smoke_test_timeout" {
  description = "How long the smoke test waits for the endpoint's Service to have a ready pod, as a duration (\"5m\", \"90s\")."
  type        = string
  default     = "5m"

  validation {
    condition     = can(regex("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.smoke_test_timeout)) && var.smoke_test_timeout != ""
    error_message = "The smoke_test_timeout must be a duration such as \"5m\", \"90s\" or \"1h30m\"."
  }
}

variable "tags" {
  description = "Tags on every resource, over the provider's default_tags."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.tags) <= 45 && alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !can(regex("^aws:", k))])
    error_message = "At most 45 tags (AWS allows 50 and mlcloud adds up to 5), each key 1 to 128 characters not starting with \"aws:\", each value at most 256."
  }

  validation {
    condition     = !anytrue([for k in keys(var.tags) : can(regex("^mlcloud[-:]", k))])
    error_message = "Tag keys starting with \"mlcloud-\" or \"mlcloud:\" are reserved for the provider's own markers."
  }
}
