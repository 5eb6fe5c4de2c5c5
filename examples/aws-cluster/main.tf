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

# EKS with its Kubernetes secrets encrypted by the key (the cluster role gets exactly
# the KMS actions EKS needs on it), the API endpoint private unless asked otherwise,
# every control-plane log type, an IAM OIDC provider for workload identities, a system
# node group whose disks use the key, and cluster access only through the access
# entries of `admin_principals` (no hidden creator-admin).
resource "mlcloud_cluster" "this" {
  cloud              = "aws"
  name               = var.cluster_name
  kubernetes_version = var.kubernetes_version
  endpoint_access    = var.endpoint_access
  authorized_cidrs   = length(var.authorized_cidrs) > 0 ? var.authorized_cidrs : null
  encryption_key_id  = mlcloud_kms_key.secrets.key_ref
  identity_id        = mlcloud_identity.cluster.id
  admin_principals   = length(var.admin_principals) > 0 ? var.admin_principals : null

  system_pool {
    machine_type     = var.system_machine_type
    node_count       = var.system_node_count
    node_identity_id = mlcloud_identity.node.id
  }

  aws {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  tags = var.tags
}
