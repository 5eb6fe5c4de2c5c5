//! HCL for the scenarios: the example provider configured on a test's item store.

use acceptance_tests::hcl_string;

use crate::store::ItemStore;

/// A root module using the example provider on `store`, followed by `body`.
pub fn main_tf(store: &ItemStore, body: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    example = {{
      source = "tfplug/example"
    }}
  }}
}}

provider "example" {{
  state_dir = {state_dir}
}}

{body}
"#,
        state_dir = hcl_string(&store.dir().display().to_string())
    )
}

/// `example_item.a` with the given name and value (and a fixed size and tags).
pub fn item(name: &str, value: &str) -> String {
    format!(
        r#"resource "example_item" "a" {{
  name  = "{name}"
  value = "{value}"
  size  = 3
  tags = {{
    team = "ml"
  }}
}}
"#
    )
}
