# The quickest secure ML platform on Google Cloud: the gcp-ml-platform module with the
# fewest inputs, plus one GPU pool for the model. `scripts/try` (no argument) applies it
# against mlcloud-emulator and prints the smoke inference; on a real project, set
# gcp_project and your network and run terraform apply.
module "ml_platform" {
  source = "../../modules/gcp-ml-platform"

  name       = var.name
  network    = var.network
  subnetwork = var.subnetwork

  # Optional: without it the model is served from a small CPU pool.
  gpu_pools = {
    l4 = { accelerator = "nvidia-l4" }
  }
}
