# Every cloud block is optional: configure the clouds you deploy to. Credentials come
# from each cloud's standard chain (AWS profiles/SSO/web identity, Azure CLI/OIDC/
# managed identity, Google ADC/impersonation) unless set explicitly.
provider "mlcloud" {
  aws {
    region = "us-east-1"

    retry {
      max_attempts = 10
    }
  }

  azure {
    subscription_id = "00000000-0000-0000-0000-000000000000"
    tenant_id       = "00000000-0000-0000-0000-000000000000"
    use_oidc        = true
  }

  gcp {
    project = "ml-platform-prod"
    region  = "us-central1"
  }

  default_tags = {
    team       = "ml-platform"
    managed_by = "terraform"
  }
}

# The catalog needs no credentials, so this module applies anywhere.
data "mlcloud_accelerators" "l4" {
  type = "nvidia-l4"
}

output "l4_offerings" {
  value = length(data.mlcloud_accelerators.l4.accelerators)
}
