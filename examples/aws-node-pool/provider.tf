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
