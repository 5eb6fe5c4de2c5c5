# Credentials come from Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
# the gcloud login, the metadata server) unless `gcp_credentials` names a key or
# workload identity federation file. `gcp_endpoint` stays null for real Google Cloud;
# scripts/try sets it to mlcloud-emulator's gcp part, which is the only way this module
# talks to an emulator.
provider "mlcloud" {
  gcp {
    project     = var.gcp_project
    region      = var.gcp_region
    credentials = var.gcp_credentials

    endpoints {
      container       = var.gcp_endpoint
      cloudkms        = var.gcp_endpoint
      iam             = var.gcp_endpoint
      resourcemanager = var.gcp_endpoint
      compute         = var.gcp_endpoint
      oauth2          = var.gcp_endpoint
    }
  }

  default_tags = var.default_tags
}
