//! HCL for the scenarios: the mlcloud provider with no cloud blocks (the catalog
//! needs none).

/// A root module using the mlcloud provider, followed by `body`.
pub fn main_tf(body: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    mlcloud = {{
      source = "mlcloud/mlcloud"
    }}
  }}
}}

provider "mlcloud" {{}}

{body}
"#
    )
}
