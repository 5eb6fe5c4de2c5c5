provider "mlcloud" {
  aws {
    region = var.aws_region
  }
}

# A token for the cluster's API server, as the provider's own AWS identity: no aws CLI,
# no exec plugin on the runner, and nothing written to the plan or state.
ephemeral "mlcloud_cluster_credentials" "ml" {
  cloud      = "aws"
  cluster_id = var.cluster_id
}

provider "kubernetes" {
  host                   = ephemeral.mlcloud_cluster_credentials.ml.host
  cluster_ca_certificate = ephemeral.mlcloud_cluster_credentials.ml.cluster_ca_certificate
  token                  = ephemeral.mlcloud_cluster_credentials.ml.token
}

resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "ml-serving"
  }
}
