# ---------------------------------------------------------------- which cloud, where

variable "cloud" {
  description = "The cloud of the platform: \"aws\" (EKS), \"azure\" (AKS) or \"gcp\" (GKE). Its object (`aws`, `azure` or `gcp`) must be set."
  type        = string

  validation {
    condition     = contains(["aws", "azure", "gcp"], var.cloud)
    error_message = "The cloud must be \"aws\", \"azure\" or \"gcp\"."
  }
}

variable "name" {
  description = "Name of the cluster; also prefixes the key and the identities. The chosen cloud's module checks it against that cloud's rules."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,20}[a-z0-9]$", var.name))
    error_message = "The name must be 2 to 22 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (what every cloud accepts)."
  }
}

variable "location" {
  description = "Region of every resource (\"us-east-1\", \"westeurope\", \"us-central1\"). Null: the provider's region for the cloud (required on azure)."
  type        = string
  default     = null

  validation {
    condition     = var.location == null ? true : can(regex("^[a-z][-a-z0-9]*[a-z0-9]$", var.location))
    error_message = "The location must be a region name such as \"us-east-1\", \"westeurope\" or \"us-central1\"."
  }
}

# ---------------------------------------------------------------- each cloud's own settings

variable "aws" {
  description = "With cloud = \"aws\": `subnet_ids` (at least two private subnets of your VPC, in different zones), `security_group_ids`, `permissions_boundary_arn`."
  type = object({
    subnet_ids               = list(string)
    security_group_ids       = optional(list(string), [])
    permissions_boundary_arn = optional(string)
  })
  default = null

  validation {
    condition     = var.cloud != "aws" || var.aws != null
    error_message = "With cloud = \"aws\", set aws = { ... }: at least its subnet_ids, the network the platform goes in."
  }
}

variable "azure" {
  description = "With cloud = \"azure\": `resource_group_name`, `subnet_id` (your subnet's ARM id), `key_vault_id` (null: a dedicated private vault), `model_store_container_id` (the blob container the workload may read)."
  type = object({
    resource_group_name      = string
    subnet_id                = string
    key_vault_id             = optional(string)
    model_store_container_id = optional(string)
  })
  default = null

  validation {
    condition     = var.cloud != "azure" || var.azure != null
    error_message = "With cloud = \"azure\", set azure = { ... }: at least its resource_group_name and subnet_id, the network the platform goes in."
  }
}

variable "gcp" {
  description = "With cloud = \"gcp\": `project` (null: the provider's), `network` and `subnetwork` (yours), `master_ipv4_cidr_block` (a /28), `kms_protection_level` (HSM or SOFTWARE), `tpu_pools` (as gcp-ml-platform's)."
  type = object({
    project                = optional(string)
    network                = string
    subnetwork             = string
    master_ipv4_cidr_block = optional(string, "172.16.0.0/28")
    kms_protection_level   = optional(string, "HSM")
    tpu_pools = optional(map(object({
      accelerator    = string
      chips_per_node = number
      topology       = string
      node_count     = number
      capacity_type  = optional(string, "on_demand")
      labels         = optional(map(string), {})
    })), {})
  })
  default = null

  validation {
    condition     = var.cloud != "gcp" || var.gcp != null
    error_message = "With cloud = \"gcp\", set gcp = { ... }: at least its network and subnetwork, the network the platform goes in."
  }
}

# ---------------------------------------------------------------- cluster

variable "public_endpoint_cidrs" {
  description = "Weakens the default private API endpoint: the API server also answers on a public IP, to these networks only. Every network listed can try credentials against the cluster's API. Empty (the default): private endpoint, reachable only from your network."
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
  description = "Kubernetes minor version of the cluster, e.g. \"1.31\". Null (the default): the cloud's default. Upgrades happen in place."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_version == null ? true : can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as \"1.31\"."
  }
}

variable "admin_principals" {
  description = "Who administers the cluster, in the cloud's terms: IAM role/user ARNs (aws), Entra object ids (azure), IAM members such as user:EMAIL (gcp). Null (the default): the identity Terraform runs as."
  type        = set(string)
  default     = null
}

variable "control_plane_log_types" {
  description = "Control-plane log types, in the cloud's names. Null (the default): every one the cloud has (aws: api, audit, authenticator, controllerManager, scheduler; gcp: SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, SCHEDULER). Not on azure: the provider cannot send AKS's logs yet. Leaving one out weakens the audit trail."
  type        = set(string)
  default     = null

  validation {
    condition     = var.control_plane_log_types == null ? true : length(var.control_plane_log_types) > 0
    error_message = "control_plane_log_types must not be empty: that turns off control-plane logging, and nothing would record who changed the cluster. Null logs every type."
  }
}

variable "system_pool_machine_type" {
  description = "Instance type / VM size / machine type of the system pool. Null (the default): the cloud's default (m6i.large, Standard_D4ds_v5, e2-standard-4)."
  type        = string
  default     = null
}

variable "system_pool_node_count" {
  description = "Nodes of the system pool. Null (the default): the cloud module's default (2 on aws and azure, 1 on gcp)."
  type        = number
  default     = null

  validation {
    condition     = var.system_pool_node_count == null ? true : (var.system_pool_node_count >= 1 && var.system_pool_node_count <= 100 && floor(var.system_pool_node_count) == var.system_pool_node_count)
    error_message = "The system_pool_node_count must be a whole number from 1 to 100, or null."
  }
}

# ---------------------------------------------------------------- encryption key

variable "kms_rotation_period_days" {
  description = "Days between automatic rotations of the key (the cloud may ask for more: aws at least 90, azure at least 7)."
  type        = number
  default     = 90

  validation {
    condition     = var.kms_rotation_period_days >= 1 && var.kms_rotation_period_days <= 365 && floor(var.kms_rotation_period_days) == var.kms_rotation_period_days
    error_message = "The kms_rotation_period_days must be a whole number from 1 to 365: a key used longer than a year without rotation protects more data with one key version than key-management guidance allows."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a destroyed key stays recoverable before it is deleted (aws, gcp; an azure key's dedicated vault keeps it 90 days)."
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
    `capacity_type` ("on_demand", the default, or "spot"), `disk_size_gb`, `zones`, `labels`. The
    names follow the cloud's rules (azure: 1 to 12 lowercase letters or digits). Every pool is tainted
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
    condition     = alltrue([for p in values(var.gpu_pools) : contains(["nvidia-t4", "nvidia-l4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h200"], p.accelerator)])
    error_message = "Each gpu_pools accelerator must be a GPU: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h200 (TPUs go in gcp.tpu_pools)."
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
    error_message = "Each gpu_pools disk_size_gb must be from 20 to 16384 GiB, or null for GKE's default."
  }

}

variable "cpu_serving_machine_type" {
  description = "Machine type of the one-node CPU pool made for the serving endpoint when gpu_pools is empty. Null (the default): the cloud's (m6i.large, Standard_D4ds_v5, e2-standard-4)."
  type        = string
  default     = null
}

# ---------------------------------------------------------------- serving

variable "serving_pool" {
  description = "The gpu_pools key whose nodes run the serving endpoint. Null (the default): the first GPU pool by name, or a CPU pool this module adds when gpu_pools is empty."
  type        = string
  default     = null
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
  description = "Where the server loads the model from: s3://BUCKET/PREFIX/ (aws: the workload may read that prefix), https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX/ (azure: see azure.model_store_container_id), gs://BUCKET/PREFIX/ (gcp: the workload may read that prefix). Null (the default): the model inside the image, and no grant."
  type        = string
  default     = null

  validation {
    condition     = var.model_uri == null ? true : can(regex("^(s3://|gs://|https://)", var.model_uri))
    error_message = "The model_uri must be an s3://, gs:// or https:// (blob) location."
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
  description = "Tags (labels on gcp) on every resource, over the provider's default_tags. The chosen cloud's module checks them against its rules."
  type        = map(string)
  default     = {}

  validation {
    condition     = !anytrue([for k in keys(var.tags) : can(regex("^mlcloud[-:]", k))])
    error_message = "Tag keys starting with \"mlcloud-\" or \"mlcloud:\" are reserved for the provider's own markers."
  }
}
