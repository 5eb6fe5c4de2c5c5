output "h100" {
  description = "Per cloud, every machine type with NVIDIA H100 80GB GPUs: its GPUs per node and the memory of each GPU."
  value = {
    for cloud, lookup in data.mlcloud_accelerators.h100 : cloud => [
      for offer in lookup.accelerators : {
        machine_type          = offer.machine_type
        accelerators_per_node = offer.accelerators_per_node
        memory_gb             = offer.memory_gb
      }
    ]
  }
}

output "gcp_l4_machine_types" {
  description = "Google Cloud machine types that carry NVIDIA L4 GPUs, by GPUs per node."
  value = {
    for offer in data.mlcloud_accelerators.gcp_l4.accelerators :
    offer.machine_type => offer.accelerators_per_node
  }
}
