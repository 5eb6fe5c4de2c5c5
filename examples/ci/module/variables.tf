variable "name" {
  description = "Prefix of the key (NAME-data) and the service account (NAME-reader)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,20}$", var.name))
    error_message = "The name must be 5 to 21 lowercase letters, digits or dashes, starting with a letter."
  }
}
