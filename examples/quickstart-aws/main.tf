# The quickest secure ML platform on AWS: the aws-ml-platform module with the fewest
# inputs, plus one GPU node group for the model. `scripts/try quickstart-aws` applies
# it against moto and mlcloud-emulator and prints the smoke inference; on a real
# account, give two private subnets of your VPC and run terraform apply.
module "ml_platform" {
  source = "../../modules/aws-ml-platform"

  name       = var.name
  subnet_ids = var.subnet_ids

  # Optional: without it the model is served from a small CPU node group.
  gpu_pools = {
    l4 = { accelerator = "nvidia-l4" }
  }
}
