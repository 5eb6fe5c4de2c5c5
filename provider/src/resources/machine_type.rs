//! Function `provider::mlcloud::machine_type(cloud, accelerator, count)`: the smallest
//! machine type with exactly `count` accelerators per node.

use crate::Cloud;
use crate::catalog::{self};
use tfplug::{Function, FunctionError, Parameter, Signature, Type, Value};

pub struct MachineType;

impl Function for MachineType {
    fn name(&self) -> String {
        "machine_type".into()
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("cloud", Type::String, "`aws`, `azure` or `gcp`."),
                Parameter::new("accelerator", Type::String, "An accelerator name such as `nvidia-l4`."),
                Parameter::new("count", Type::Number, "Accelerators per node."),
            ],
            variadic: None,
            return_type: Type::String,
            summary: "Smallest machine type carrying an accelerator".into(),
            description: "Returns the smallest instance, VM or machine type on `cloud` with exactly `count` `accelerator`s per node, e.g. `machine_type(\"aws\", \"nvidia-h100-80gb\", 8)` is `\"p5.48xlarge\"`. Fails, naming the argument, when the cloud does not offer the accelerator or that count.".into(),
            deprecation: None,
        }
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let cloud: Cloud = args
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default()
            .parse()
            .map_err(|e: crate::UnknownCloud| FunctionError::at_argument(e.to_string(), 0))?;
        let accelerator = args.get(1).and_then(Value::as_str).unwrap_or_default();
        let count = args
            .get(2)
            .and_then(Value::as_i64)
            .filter(|c| *c > 0 && *c <= i64::from(u32::MAX))
            .ok_or_else(|| {
                FunctionError::at_argument("count must be a whole number of 1 or more", 2)
            })?;
        catalog::machine_type(cloud, accelerator, count as u32)
            .map(|o| Value::from(o.machine_type))
            .map_err(|e| {
                let arg = match e {
                    catalog::CatalogError::NoMachineWithCount { .. } => 2,
                    _ => 1,
                };
                FunctionError::at_argument(e.to_string(), arg)
            })
    }
}
