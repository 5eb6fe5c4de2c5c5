# Credentials come from the standard AWS chain (environment, profile, SSO, web
# identity, instance role); the same credentials presign the STS token the endpoint
# reaches the cluster with. `aws_endpoint` and `kubernetes_endpoint` stay null for real
# AWS: an emulator (moto has no Kubernetes API of its own) needs both, and
# `ca_certificate_file` for the emulator's test CA.
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

  default_tags = var.default_tags
}
