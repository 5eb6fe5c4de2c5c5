//! Provider functions (Terraform ≥ 1.8): `provider::<name>::<function>(...)`.

use crate::value::{Type, Value};

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub allow_null: bool,
}

impl Parameter {
    pub fn new(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Parameter {
            name: name.into(),
            ty,
            description: description.into(),
            allow_null: false,
        }
    }
}

/// A function's signature and documentation.
#[derive(Debug, Clone)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    pub summary: String,
    pub description: String,
    pub deprecation: Option<String>,
}

/// Why a call failed; `argument` is the 0-based index of the argument at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<i64>,
}

impl FunctionError {
    pub fn new(text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }

    pub fn at_argument(text: impl Into<String>, index: usize) -> Self {
        FunctionError {
            text: text.into(),
            argument: Some(index as i64),
        }
    }
}

pub trait Function: Send + Sync {
    fn name(&self) -> String;
    fn signature(&self) -> Signature;
    /// Arguments arrive known (Terraform does not call functions with unknown values
    /// unless the parameter allows them) and in declaration order.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}
