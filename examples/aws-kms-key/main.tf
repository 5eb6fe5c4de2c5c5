# Credentials come from the standard AWS chain (environment, profile, SSO, web
# identity, instance role). `aws_endpoint` stays null for real AWS; scripts/try sets it
# to a local moto server, which is the only way this module talks to an emulator.
provider "mlcloud" {
  aws {
    region = var.aws_region

    endpoints {
      eks = var.aws_endpoint
      kms = var.aws_endpoint
      iam = var.aws_endpoint
      sts = var.aws_endpoint
      ec2 = var.aws_endpoint
    }
  }

  default_tags = var.default_tags
}

# The key that encrypts the cluster's Kubernetes secrets. On AWS: a symmetric KMS key
# with the alias alias/<name>, automatic rotation, and a key policy that trusts only
# the account root.
resource "mlcloud_kms_key" "this" {
  cloud                = "aws"
  name                 = var.name
  description          = var.description
  rotation_period_days = var.rotation_period_days
  deletion_window_days = var.deletion_window_days
  tags                 = var.tags
}
