# The quickest secure ML platform on Azure: the azure-ml-platform module with the fewest
# inputs. `scripts/try quickstart-azure` applies it against mlcloud-emulator and prints
# the smoke inference; on a real subscription, give your resource group and subnet and
# run terraform apply.
module "ml_platform" {
  source = "../../modules/azure-ml-platform"

  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.subnet_id

  # Optional: without it the model is served from a small CPU pool.
  gpu_pools = {
    t4 = { accelerator = "nvidia-t4" }
  }
}
