output "item_id" {
  description = "The id the provider gave the item."
  value       = example_item.demo.id
}

output "created_at" {
  description = "When the item was created; updates in place keep it."
  value       = example_item.demo.created_at
}

output "looked_up_value" {
  description = "The item's value as the example_lookup data source reads it."
  value       = data.example_lookup.demo.value
}
