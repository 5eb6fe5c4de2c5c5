# tfplug's example provider: a tiny "cloud" kept as JSON files in a local directory,
# enough to show every part of a resource's life (create, update, replace, import,
# drift, destroy) without any real cloud.
provider "example" {
  state_dir = var.state_dir
}

resource "example_item" "demo" {
  name  = var.item_name
  value = var.item_value
  size  = 2
  tags = {
    purpose = "documentation"
  }
}

# Reads the item back by name, as any other configuration could.
data "example_lookup" "demo" {
  name = example_item.demo.name
}
