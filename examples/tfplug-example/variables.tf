variable "state_dir" {
  description = "Directory where the example provider keeps its items, one JSON file each. It must exist."
  type        = string

  validation {
    condition     = length(var.state_dir) > 0
    error_message = "The state_dir must name a directory."
  }
}

variable "item_name" {
  description = "Name of the item; the item's id is \"item-\" followed by it. Changing it replaces the item."
  type        = string
  default     = "demo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.item_name))
    error_message = "The item_name must start with a lowercase letter and hold only lowercase letters, digits and dashes."
  }
}

variable "item_value" {
  description = "The item's value; changing it updates the item in place."
  type        = string
  default     = "hello"
}
