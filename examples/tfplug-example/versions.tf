terraform {
  required_version = ">= 1.0"

  required_providers {
    example = {
      source  = "tfplug/example"
      version = "~> 0.1"
    }
  }
}
