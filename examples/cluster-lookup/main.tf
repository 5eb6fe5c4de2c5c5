provider "mlcloud" {
  aws {
    region = var.aws_region
  }
}

# A cluster another team's state owns, found by name in the provider's region
# (`id = "arn:aws:eks:..."` finds it by id instead).
data "mlcloud_cluster" "shared" {
  cloud = "aws"
  name  = var.cluster_name
}

# Node pools, workload identities and credentials take its id like a managed cluster's.
output "cluster_id" {
  value = data.mlcloud_cluster.shared.id
}

output "endpoint" {
  value = data.mlcloud_cluster.shared.endpoint
}

output "oidc_issuer_url" {
  value = data.mlcloud_cluster.shared.oidc_issuer_url
}

output "kubernetes_version" {
  value = data.mlcloud_cluster.shared.kubernetes_version
}
