# The model server on the serving pool's GPU, bound to its managed identity (the service
# account's azure.workload.identity/client-id annotation and use label). Apply ends
# with one real inference request through the API server's service proxy; a model
# that does not answer fails the apply.
resource "mlcloud_serving_endpoint" "this" {
  cloud        = "azure"
  cluster_id   = mlcloud_cluster.this.id
  name         = var.endpoint_name
  namespace    = var.namespace
  node_pool_id = mlcloud_node_pool.serving.id
  identity_id  = mlcloud_identity.serving.id
  replicas     = var.replicas

  resources {
    cpu    = "2"
    memory = "8Gi"
    gpu    = 1
  }
}

# The same inference again, whenever you want proof that the model still answers
# (Terraform 1.14 or later): terraform apply -invoke=action.mlcloud_smoke_test.this
action "mlcloud_smoke_test" "this" {
  config {
    cloud       = "azure"
    endpoint_id = mlcloud_serving_endpoint.this.id
  }
}
