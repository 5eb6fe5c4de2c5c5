//! Schemas: what a provider, resource or data source accepts, with the validators and
//! plan modifiers attached to each attribute.

mod attribute;
mod block;
pub mod plan_modifiers;
pub mod timeouts;
pub mod validators;

pub use attribute::{Attribute, AttributeKind, ObjectNesting};
pub use block::{Block, BlockNesting, NestedBlock};
pub use plan_modifiers::{AttributePlan, PlanModifier};
pub use validators::Validator;

use crate::value::Type;

/// A versioned schema. Bump `version` when a state written by the old schema needs
/// upgrading, and implement the resource's state upgrade.
#[derive(Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }

    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}
