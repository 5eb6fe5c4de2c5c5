# Credentials come from the standard AWS chain (environment, profile, SSO, web
# identity, instance role); the same credentials presign the short-lived STS token the
# provider reaches the cluster with. The endpoints stay null for real AWS; scripts/try
# points them at mlcloud-emulator's aws part (moto behind it) and at its Kubernetes API
# (moto has none), and trusts the emulator's test CA through ca_certificate_file.
provider "mlcloud" {
  aws {
    region              = var.aws_region
    ca_certificate_file = var.aws_ca_certificate_file

    endpoints {
      eks        = var.aws_endpoint
      kms        = var.aws_endpoint
      iam        = var.aws_endpoint
      sts        = var.aws_endpoint
      ec2        = var.aws_endpoint
      kubernetes = var.kubernetes_endpoint
    }
  }
}
