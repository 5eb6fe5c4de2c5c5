# ---------------------------------------------------------------- where

variable "name" {
  description = "Name of the GKE cluster; also prefixes the key (`NAME-etcd`) and the service accounts (`NAME-nodes`, `NAME-serving`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,20}[a-z0-9]$", var.name))
    error_message = "The name must be 2 to 22 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (with the suffix \"-serving\" it must still be a service account id, at most 30 characters)."
  }
}

variable "project" {
  description = "Google Cloud project for every resource. Null (the default) takes the provider's `gcp { project }`."
  type        = string
  default     = null

  validation {
    condition     = var.project == null ? true : can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project))
    error_message = "The project must be a Google Cloud project id: 6 to 30 lowercase letters, digits or '-', starting with a letter, such as \"ml-platform-prod\"."
  }
}

variable "location" {
  description = "Region of the cluster, the key and the pools. Null (the default) takes the provider's `gcp { region }`."
  type        = string
  default     = null

  validation {
    condition     = var.location == null ? true : can(regex("^[a-z]+-[a-z]+[0-9]+$", var.location))
    error_message = "The location must be a Google Cloud region such as \"us-central1\" (a region, not a zone: the cluster is regional)."
  }
}

# ---------------------------------------------------------------- network (the caller's)

variable "network" {
  description = "The VPC network the cluster joins: a name or `projects/P/global/networks/N`. The network is the caller's; this module creates none."
  type        = string

  validation {
    condition     = can(regex("^([a-z]([-a-z0-9]{0,61}[a-z0-9])?|projects/[^/]+/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$", var.network))
    error_message = "The network must be a VPC network name such as \"ml-vpc\" or \"projects/P/global/networks/ml-vpc\"."
  }
}

variable "subnetwork" {
  description = "The subnetwork of the cluster's nodes, in `location`: a name or `projects/P/regions/R/subnetworks/S`."
  type        = string

  validation {
    condition     = can(regex("^([a-z]([-a-z0-9]{0,61}[a-z0-9])?|projects/[^/]+/regions/[^/]+/subnetworks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$", var.subnetwork))
    error_message = "The subnetwork must be a subnetwork name such as \"ml-nodes\" or \"projects/P/regions/R/subnetworks/ml-nodes\"."
  }
}

variable "master_ipv4_cidr_block" {
  description = "The control plane's private range, a /28 unused in `network` (GKE peers it with the VPC)."
  type        = string
  default     = "172.16.0.0/28"

  validation {
    condition     = can(cidrhost(var.master_ipv4_cidr_block, 0)) && can(regex("/28$", var.master_ipv4_cidr_block))
    error_message = "The master_ipv4_cidr_block must be a /28 CIDR block such as \"172.16.0.0/28\"."
  }
}

# ---------------------------------------------------------------- cluster

variable "public_endpoint_cidrs" {
  description = "Weakens the default private API endpoint: the API server also answers on a public IP, to these networks only. Every network listed can try credentials against the cluster's API. Empty (the default): private endpoint, reachable only from `network`."
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
  description = "Kubernetes minor version of the cluster, e.g. \"1.31\". Null (the default): GKE's default of the REGULAR channel. Upgrades happen in place."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_version == null ? true : can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as \"1.31\"."
  }
}

variable "admin_principals" {
  description = "Who administers the cluster: IAM members (`user:EMAIL`, `group:EMAIL`, `serviceAccount:EMAIL`), each bound to roles/container.admin. Null (the default): the credentials Terraform runs with."
  type        = set(string)
  default     = null

  validation {
    condition     = var.admin_principals == null ? true : alltrue([for p in var.admin_principals : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", p))])
    error_message = "Each of admin_principals must be an IAM member such as \"user:alice@example.com\", \"group:ml-admins@example.com\" or \"serviceAccount:ci@PROJECT.iam.gserviceaccount.com\"."
  }
}

variable "control_plane_log_types" {
  description = "GKE logging components sent to Cloud Logging. Default: all of them (SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, SCHEDULER). Leaving one out weakens the audit trail: without APISERVER nothing records who changed what in the cluster."
  type        = set(string)
  default     = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]

  validation {
    condition     = length(var.control_plane_log_types) > 0
    error_message = "control_plane_log_types must not be empty: that turns off control-plane logging, and nothing would record who changed the cluster. The default logs every component."
  }

  validation {
    condition     = alltrue([for t in var.control_plane_log_types : contains(["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"], t)])
    error_message = "Each of control_plane_log_types must be one of SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, SCHEDULER."
  }
}

variable "system_pool_machine_type" {
  description = "Machine type of the system pool (DNS, networking, controllers). Null (the default): e2-standard-4."
  type        = string
  default     = null

  validation {
    condition     = var.system_pool_machine_type == null ? true : can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", var.system_pool_machine_type))
    error_message = "The system_pool_machine_type must be a Compute Engine machine type such as \"e2-standard-4\"."
  }
}

variable "system_pool_node_count" {
  description = "Nodes of the system pool."
  type        = number
  default     = 1

  validation {
    condition     = var.system_pool_node_count >= 1 && var.system_pool_node_count <= 100 && floor(var.system_pool_node_count) == var.system_pool_node_count
    error_message = "The system_pool_node_count must be a whole number from 1 to 100."
  }
}

# ---------------------------------------------------------------- encryption key

variable "kms_rotation_period_days" {
  description = "Days between automatic rotations of the Cloud KMS key."
  type        = number
  default     = 90

  validation {
    condition     = var.kms_rotation_period_days >= 1 && var.kms_rotation_period_days <= 365 && floor(var.kms_rotation_period_days) == var.kms_rotation_period_days
    error_message = "The kms_rotation_period_days must be a whole number from 1 to 365: a key used longer than a year without rotation protects more data with one key version than key-management guidance allows."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a destroyed key version stays recoverable before Cloud KMS destroys it (and with it every secret it encrypts)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "The kms_deletion_window_days must be a whole number from 7 to 30: a shorter window leaves too little time to undo a mistaken destroy, after which the cluster's secrets cannot be decrypted."
  }
}

variable "kms_protection_level" {
  description = "Where the key's material lives: HSM (the default, FIPS 140-2 Level 3 hardware) or SOFTWARE (cheaper, but the key material is handled in software)."
  type        = string
  default     = "HSM"

  validation {
    condition     = contains(["HSM", "SOFTWARE"], var.kms_protection_level)
    error_message = "The kms_protection_level must be HSM or SOFTWARE (SOFTWARE weakens the key's protection: its material is not kept in hardware)."
  }
}

# ---------------------------------------------------------------- pools

variable "gpu_pools" {
  description = <<-EOT
    GPU node pools, by pool name. Each: `accelerator` (an mlcloud accelerator name such as "nvidia-l4"),
    `accelerators_per_node` (default 1), `node_count` (default 1) or `autoscaling = { min, max }`,
    `capacity_type` ("on_demand", the default, or "spot"), `disk_size_gb`, `zones`, `labels`,
    `gpu_driver_version` (DEFAULT, LATEST or INSTALLATION_DISABLED). Every pool is tainted
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
    capacity_type      = optional(string, "on_demand")
    disk_size_gb       = optional(number)
    zones              = optional(set(string))
    labels             = optional(map(string), {})
    gpu_driver_version = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.gpu_pools) : can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", name))])
    error_message = "Each gpu_pools key is a GKE node pool name: 1 to 40 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit."
  }

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : contains(["nvidia-t4", "nvidia-l4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h200"], p.accelerator)])
    error_message = "Each gpu_pools accelerator must be a GPU: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h200 (TPUs go in tpu_pools)."
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

  validation {
    condition     = alltrue([for p in values(var.gpu_pools) : p.gpu_driver_version == null ? true : contains(["DEFAULT", "LATEST", "INSTALLATION_DISABLED"], p.gpu_driver_version)])
    error_message = "Each gpu_pools gpu_driver_version must be DEFAULT, LATEST or INSTALLATION_DISABLED, or null for GKE's default."
  }
}

variable "tpu_pools" {
  description = <<-EOT
    TPU slices, by pool name. Each: `accelerator` ("tpu-v5e", "tpu-v5p" or "tpu-v6e"), `chips_per_node`
    (TPU chips per VM, e.g. 4), `topology` (e.g. "2x4"; "2x2x2" on v5p), `node_count` (the topology's
    chips over chips_per_node), `capacity_type` ("on_demand" or "spot"), `labels`. Every slice is tainted
    google.com/tpu=present:NoSchedule.
  EOT
  type = map(object({
    accelerator    = string
    chips_per_node = number
    topology       = string
    node_count     = number
    capacity_type  = optional(string, "on_demand")
    labels         = optional(map(string), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.tpu_pools) : can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", name))])
    error_message = "Each tpu_pools key is a GKE node pool name: 1 to 40 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit."
  }

  validation {
    condition     = alltrue([for p in values(var.tpu_pools) : contains(["tpu-v5e", "tpu-v5p", "tpu-v6e"], p.accelerator)])
    error_message = "Each tpu_pools accelerator must be a TPU: tpu-v5e, tpu-v5p or tpu-v6e (GPUs go in gpu_pools)."
  }

  validation {
    condition     = alltrue([for p in values(var.tpu_pools) : p.chips_per_node >= 1 && p.chips_per_node <= 16 && floor(p.chips_per_node) == p.chips_per_node])
    error_message = "Each tpu_pools chips_per_node must be a whole number from 1 to 16."
  }

  validation {
    condition     = alltrue([for p in values(var.tpu_pools) : can(regex("^[1-9][0-9]*x[1-9][0-9]*(x[1-9][0-9]*)?$", p.topology))])
    error_message = "Each tpu_pools topology must be chips per dimension such as \"2x4\" (v5e, v6e) or \"2x2x2\" (v5p)."
  }

  validation {
    condition     = alltrue([for p in values(var.tpu_pools) : p.node_count >= 1 && p.node_count <= 1000 && floor(p.node_count) == p.node_count])
    error_message = "Each tpu_pools node_count must be a whole number from 1 to 1000: the topology's chips over chips_per_node."
  }

  validation {
    condition     = alltrue([for p in values(var.tpu_pools) : contains(["on_demand", "spot"], p.capacity_type)])
    error_message = "Each tpu_pools capacity_type must be \"on_demand\" or \"spot\"."
  }
}

variable "cpu_serving_machine_type" {
  description = "Machine type of the one-node CPU pool made for the serving endpoint when gpu_pools is empty (and no serving_pool is named)."
  type        = string
  default     = "e2-standard-4"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", var.cpu_serving_machine_type))
    error_message = "The cpu_serving_machine_type must be a Compute Engine machine type such as \"e2-standard-4\"."
  }
}

# ---------------------------------------------------------------- serving

variable "serving_pool" {
  description = "The gpu_pools key whose nodes run the serving endpoint. Null (the default): the first GPU pool by name, or a CPU pool this module adds when gpu_pools is empty."
  type        = string
  default     = null

  validation {
    condition     = var.serving_pool == null ? true : can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.serving_pool))
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
  description = "Where the server loads the model from, a Cloud Storage prefix (`gs://BUCKET/PREFIX/`); the workload identity may read that prefix and nothing else. Null (the default): the model inside the image, and no grant."
  type        = string
  default     = null

  validation {
    condition     = var.model_uri == null ? true : can(regex("^gs://[a-z0-9][-_.a-z0-9]{1,61}[a-z0-9]/(.+/)?$", var.model_uri))
    error_message = "The model_uri must be a Cloud Storage prefix ending in '/', such as \"gs://ml-models/iris/\"."
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
  description = "Labels on every resource, over the provider's default_tags."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : can(regex("^[a-z][-_a-z0-9]{0,62}$", k)) && can(regex("^[-_a-z0-9]{0,63}$", v))])
    error_message = "Each tag is a Google Cloud label: a key of 1 to 63 lowercase letters, digits, '-' or '_' starting with a letter, and a value of at most 63 of the same."
  }

  validation {
    condition     = !anytrue([for k in keys(var.tags) : can(regex("^mlcloud-", k))])
    error_message = "Tag keys starting with \"mlcloud-\" are reserved for the provider's own markers."
  }
}
