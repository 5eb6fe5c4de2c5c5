# The model server on the GPU node group, bound to its IAM role (the service account's
# eks.amazonaws.com/role-arn annotation). Apply ends with one real inference request
# through the API server's service proxy; a model that does not answer fails the
# apply.
resource "mlcloud_serving_endpoint" "this" {
  cloud        = "aws"
  cluster_id   = mlcloud_cluster.this.id
  name         = var.endpoint_name
  namespace    = var.namespace
  node_pool_id = mlcloud_node_pool.gpu.id
  identity_id  = mlcloud_identity.serving.id
  replicas     = var.replicas

  resources {
    cpu    = "2"
    memory = "8Gi"
    gpu    = 1
  }
}
