# Runs against mlcloud-emulator's gcp part: `scripts/emulators --cloud gcp --env-file F`,
# then `source F`, exports TF_VAR_gcp_endpoint, TF_VAR_gcp_project and
# TF_VAR_gcp_credentials. No Google Cloud account is involved.
variable "gcp_endpoint" {
  type = string
}

variable "gcp_project" {
  type = string
}

variable "gcp_credentials" {
  type = string
}

provider "mlcloud" {
  gcp {
    project     = var.gcp_project
    region      = "us-central1"
    credentials = var.gcp_credentials

    endpoints {
      container       = var.gcp_endpoint
      cloudkms        = var.gcp_endpoint
      iam             = var.gcp_endpoint
      resourcemanager = var.gcp_endpoint
      compute         = var.gcp_endpoint
      oauth2          = var.gcp_endpoint
      storage         = var.gcp_endpoint
    }
  }
}

variables {
  name = "team-a"
}

run "the_reader_may_decrypt_with_the_key" {
  command = apply

  assert {
    condition     = output.key_ref == "projects/${var.gcp_project}/locations/us-central1/keyRings/team-a-data-ring/cryptoKeys/team-a-data"
    error_message = "Unexpected key ${output.key_ref}"
  }

  assert {
    condition     = output.reader == "team-a-reader@${var.gcp_project}.iam.gserviceaccount.com"
    error_message = "Unexpected service account ${output.reader}"
  }

  assert {
    condition     = mlcloud_identity.reader.grants == tolist([{ action = "kms_decrypt", target = output.key_ref }])
    error_message = "The reader has other grants than decrypt on the key."
  }
}

run "a_bad_name_is_refused" {
  command = plan

  variables {
    name = "Team_A"
  }

  expect_failures = [var.name]
}
