//! Data source `mlcloud_accelerators`: the accelerator catalog, filtered by cloud and
//! accelerator type.

use crate::Cloud;
use crate::catalog::{self, AcceleratorKind, Offering};
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{AttributePath, Context, DataSource, Diagnostic, Diagnostics, Type, Value};

pub struct Accelerators;

/// The object type of one catalog entry in `accelerators`.
fn entry_type() -> Type {
    Type::object([
        ("cloud", Type::String),
        ("type", Type::String),
        ("kind", Type::String),
        ("machine_type", Type::String),
        ("accelerators_per_node", Type::Number),
        ("memory_gb", Type::Number),
        ("vcpus", Type::Number),
        ("gke_accelerator", Type::String),
    ])
}

fn entry(o: &Offering) -> Value {
    let kind = match o.kind {
        AcceleratorKind::Gpu => "gpu",
        AcceleratorKind::Tpu => "tpu",
    };
    Value::object([
        ("cloud", Value::from(o.cloud.as_str())),
        ("type", Value::from(o.accelerator)),
        ("kind", Value::from(kind)),
        ("machine_type", Value::from(o.machine_type)),
        (
            "accelerators_per_node",
            Value::from(i64::from(o.accelerators_per_node)),
        ),
        ("memory_gb", Value::from(i64::from(o.memory_gb))),
        ("vcpus", Value::from(i64::from(o.vcpus))),
        ("gke_accelerator", Value::from(o.gke_accelerator)),
    ])
}

fn known_str<'a>(config: &'a Value, name: &str) -> Option<&'a str> {
    config.attr(name).and_then(Value::as_str)
}

/// The cloud filter, if set and valid.
fn cloud_filter(config: &Value) -> Option<Cloud> {
    known_str(config, "cloud").and_then(|c| c.parse().ok())
}

#[tfplug::async_trait]
impl DataSource for Accelerators {
    fn type_name(&self) -> String {
        "mlcloud_accelerators".into()
    }

    fn schema(&self) -> Schema {
        let clouds: Vec<&str> = Cloud::ALL.iter().map(|c| c.as_str()).collect();
        Schema::new(
            Block::new()
                .describe("The accelerator catalog: which instance, VM or machine types carry which GPU or TPU on each cloud, smallest first. Needs no cloud credentials.")
                .attr(
                    Attribute::string("cloud")
                        .optional()
                        .one_of(&clouds)
                        .describe("Only this cloud's offerings."),
                )
                .attr(
                    Attribute::string("type")
                        .optional()
                        .one_of(catalog::accelerator_names())
                        .describe("Only this accelerator."),
                )
                .attr(Attribute::string("id").computed().describe("`<cloud>/<type>` of the filters, `all` where unset."))
                .attr(
                    Attribute::list("accelerators", entry_type())
                        .computed()
                        .describe("Matching offerings, ordered by cloud, accelerator, then size: `cloud`, `type`, `kind` (`gpu` or `tpu`), `machine_type`, `accelerators_per_node`, `memory_gb` (per accelerator), `vcpus`, and `gke_accelerator` (the GKE accelerator type, Google Cloud only)."),
                ),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let (Some(cloud), Some(ty)) = (cloud_filter(config), known_str(config, "type"))
            && let Err(e) = catalog::offerings(cloud, ty)
            && catalog::accelerator_names().contains(&ty)
        {
            diags.push(
                Diagnostic::error("Accelerator not offered", format!("{e}."))
                    .at(AttributePath::attr("type")),
            );
        }
        diags
    }

    async fn read(&self, _ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let cloud = cloud_filter(&config);
        let ty = known_str(&config, "type");
        let mut rows: Vec<&Offering> = catalog::all()
            .iter()
            .filter(|o| cloud.is_none_or(|c| o.cloud == c))
            .filter(|o| ty.is_none_or(|t| o.accelerator == t))
            .collect();
        // Contract order of accelerators, then smallest first, per cloud.
        let order = |name: &str| {
            catalog::accelerator_names()
                .iter()
                .position(|n| *n == name)
                .unwrap_or(usize::MAX)
        };
        rows.sort_by_key(|o| {
            (
                o.cloud as u8,
                order(o.accelerator),
                o.vcpus,
                o.accelerators_per_node,
                o.machine_type,
            )
        });
        let id = format!(
            "{}/{}",
            cloud.map(|c| c.as_str()).unwrap_or("all"),
            ty.unwrap_or("all")
        );
        Ok(Value::object([
            ("cloud", config.attr("cloud").cloned().unwrap_or_default()),
            ("type", config.attr("type").cloned().unwrap_or_default()),
            ("id", Value::from(id)),
            (
                "accelerators",
                Value::List(rows.into_iter().map(entry).collect()),
            ),
        ]))
    }
}
