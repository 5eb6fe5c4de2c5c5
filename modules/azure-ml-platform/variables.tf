# ---------------------------------------------------------------- where

variable "name" {
  description = "Name of the AKS cluster; also prefixes the key (`NAME-etcd`) and the managed identities (`NAME-cluster`, `NAME-serving`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,38}[a-z0-9]$", var.name))
    error_message = "The name must be 2 to 40 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (it also names the Key Vault key, which takes no '_')."
  }
}

variable "resource_group_name" {
  description = "The resource group every resource goes in (the caller's; this module creates none)."
  type        = string

  validation {
    condition     = can(regex("^[-\\w._()]{0,89}[-\\w_()]$", var.resource_group_name))
    error_message = "The resource_group_name must be 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'."
  }
}

variable "location" {
  description = "Azure region of the cluster, the key, the identities and the pools, e.g. \"westeurope\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]+$", var.location))
    error_message = "The location must be an Azure region name such as \"westeurope\" or \"eastus2\" (lowercase, no spaces)."
  }
}

# ---------------------------------------------------------------- network (the caller's)

variable "subnet_id" {
  description = "ARM id of the subnet of the cluster's nodes (`/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/virtualNetworks/V/subnets/N`). The network is the caller's; this module creates none."
  type        = string

  validation {
    condition     = can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+$", var.subnet_id))
    error_message = "The subnet_id must be a subnet's ARM id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/NAME."
  }
}

# ---------------------------------------------------------------- cluster

variable "public_endpoint_cidrs" {
  description = "Weakens the default private API endpoint: the API server also answers on a public IP, to these networks only. Every network listed can try credentials against the cluster's API. Empty (the default): private endpoint, reachable only from the cluster's virtual network."
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
  description = "Kubernetes minor version of the cluster, e.g. \"1.31\". Null (the default): AKS's default version. Upgrades happen in place."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_version == null ? true : can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as \"1.31\"."
  }
}

variable "admin_principals" {
  description = "Who administers the cluster: Microsoft Entra object ids (lowercase GUIDs of users, groups or service principals), each given Azure Kubernetes Service RBAC Cluster Admin on the cluster. Null (the default): the identity Terraform runs as."
  type        = set(string)
  default     = null

  validation {
    condition     = var.admin_principals == null ? true : alltrue([for p in var.admin_principals : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", p))])
    error_message = "Each of admin_principals must be a Microsoft Entra object id, a lowercase GUID such as \"6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c\"."
  }
}

variable "system_pool_machine_type" {
  description = "VM size of the system pool (tainted CriticalAddonsOnly: DNS, networking, the cluster's controllers). Null (the default): Standard_D4ds_v5."
  type        = string
  default     = null

  validation {
    condition     = var.system_pool_machine_type == null ? true : can(regex("^Standard_[A-Za-z0-9_]+$", var.system_pool_machine_type))
    error_message = "The system_pool_machine_type must be an Azure VM size such as \"Standard_D4ds_v5\"."
  }
}

variable "system_pool_node_count" {
  description = "Nodes of the system pool."
  type        = number
  default     = 2

  validation {
    condition     = var.system_pool_node_count >= 1 && var.system_pool_node_count <= 100 && floor(var.system_pool_node_count) == var.system_pool_node_count
    error_message = "The system_pool_node_count must be a whole number from 1 to 100."
  }
}

# ---------------------------------------------------------------- encryption key

variable "key_vault_id" {
  description = "ARM id of an existing Key Vault to create the key in. Null (the default): a dedicated vault for the key, with RBAC, purge protection, 90 days of soft delete and no public network access."
  type        = string
  default     = null

  validation {
    condition     = var.key_vault_id == null ? true : can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$", var.key_vault_id))
    error_message = "The key_vault_id must be a Key Vault's ARM id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/NAME."
  }
}

variable "kms_rotation_period_days" {
  description = "Days between automatic rotations of the Key Vault key (Key Vault rotates at the earliest after 7)."
  type        = number
  default     = 90

  validation {
    condition     = var.kms_rotation_period_days >= 7 && var.kms_rotation_period_days <= 365 && floor(var.kms_rotation_period_days) == var.kms_rotation_period_days
    error_message = "The kms_rotation_period_days must be a whole number from 7 (Key Vault's shortest) to 365: a key used longer than a year without rotation protects more data with one key version than key-management guidance allows."
  }
}

# ---------------------------------------------------------------- pools

variable "gpu_pools" {
  description = <<-EOT
    GPU node pools, by pool name (AKS: 1 to 12 lowercase letters or digits, starting with a letter).
    Each: `accelerator` (an mlcloud accelerator name such as "nvidia-t4"), `accelerators_per_node`
    (default 1), `node_count` (default 1) or `autoscaling = { min, max }`, `capacity_type`
    ("on_demand", the default, or "spot"), `disk_size_gb`, `zones`, `labels`, `gpu_driver`
    ("Install", AKS's default, or "None" for the NVIDIA GPU Operator). Every pool is tainted
    nvidia.com/gpu=present:NoSchedule. The serving endpoint runs on `serving_pool`, else on the first
    of these by name; with none, on a small CPU pool this module adds.
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
    gpu_driver    = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.gpu_pools) : can(regex("^[a-z][a-z0-9]{0,11}$", name))])
    error_message = "Each gpu_pools key is an AKS agent pool name: 1 to 12 lowercase letters or digits, starting with a letter."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : contains(["nvidia-t4", "nvidia-l4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h200"], p.accelerator)])
    error_message = "Each gpu_pools accelerator must be a GPU: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h200 (Azure has no TPUs)."
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
    error_message = "Each gpu_pools disk_size_gb must be from 20 to 16384 GiB, or null for AKS's default."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.gpu_driver == null ? true : contains(["Install", "None"], p.gpu_driver)])
    error_message = "Each gpu_pools gpu_driver must be \"Install\" or \"None\", or null for AKS's default (Install)."
  }
}

variable "cpu_serving_machine_type" {
  description = "VM size of the one-node CPU pool made for the serving endpoint when gpu_pools is empty (and no serving_pool is named)."
  type        = string
  default     = "Standard_D4ds_v5"

  validation {
    condition     = can(regex("^Standard_[A-Za-z0-9_]+$", var.cpu_serving_machine_type))
    error_message = "The cpu_serving_machine_type must be an Azure VM size such as \"Standard_D4ds_v5\"."
  }
}

# ---------------------------------------------------------------- serving

variable "serving_pool" {
  description = "The gpu_pools key whose nodes run the serving endpoint. Null (the default): the first GPU pool by name, or a CPU pool this module adds when gpu_pools is empty."
  type        = string
  default     = null

  validation {
    condition     = var.serving_pool == null ? true : can(regex("^[a-z][a-z0-9]{0,11}$", var.serving_pool))
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
  description = "Where the server loads the model from (its MODEL_URI), e.g. a blob URL `https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX/`. Null (the default): the model inside the image."
  type        = string
  default     = null

  validation {
    condition     = var.model_uri == null ? true : can(regex("^https://[a-z0-9]{3,24}\\.blob\\.core\\.windows\\.net/[a-z0-9][-a-z0-9]{1,62}/", var.model_uri))
    error_message = "The model_uri must be a blob URL such as \"https://mlmodels.blob.core.windows.net/models/iris/\"."
  }
}

variable "model_store_container_id" {
  description = "ARM id of the blob container holding the model: the workload identity may read it (Storage Blob Data Reader on that container) and nothing else. Null (the default): no grant."
  type        = string
  default     = null

  validation {
    condition     = var.model_store_container_id == null ? true : can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Storage/storageAccounts/[^/]+/blobServices/default/containers/[^/]+$", var.model_store_container_id))
    error_message = "The model_store_container_id must be a blob container's ARM id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/ACCOUNT/blobServices/default/containers/NAME."
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
    condition     = alltrue([for k, v in var.tags : can(regex("^[^<>%&\\\\?/]{1,512}$", k)) && length(v) <= 256])
    error_message = "Each tag is an Azure tag: a key of 1 to 512 characters without < > % & \\ ? /, and a value of at most 256 characters."
  }

  validation {
    condition     = !anytrue([for k in keys(var.tags) : can(regex("^mlcloud[-:]", k))])
    error_message = "Tag keys starting with \"mlcloud-\" or \"mlcloud:\" are reserved for the provider's own markers."
  }
}
