//! Resource identity (Terraform ≥ 1.12): a small object, stored beside a resource's
//! state, that names one remote object. Terraform imports by it
//! (`import { to = ..., identity = { ... } }`), `terraform query` lists by it, and it
//! must not change for the life of the object.
//!
//! The usual identity is a few attributes the state already holds (`id`, a region, a
//! project). Name them the same in the identity schema and the framework fills in every
//! identity Terraform needs from the state: nothing else to write.

use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// The identity schema of a resource type. Versioned apart from the resource schema.
///
/// ```
/// use tfplug::identity::{IdentityAttribute, IdentitySchema};
/// use tfplug::Value;
/// let schema = IdentitySchema::new()
///     .attr(IdentityAttribute::string("id").required_for_import().describe("The cloud's id."))
///     .attr(IdentityAttribute::string("region").optional_for_import());
/// let state = Value::object([("id", "i-1".into()), ("region", "eu".into()), ("size", 3i64.into())]);
/// assert_eq!(
///     schema.project(&state),
///     Value::object([("id", "i-1".into()), ("region", "eu".into())])
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

/// One identity attribute. Identity attributes hold primitives or lists of them.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// The user must give it in an `import` block's `identity`.
    pub required_for_import: bool,
    /// The user may leave it out of an `import` block's `identity` (the provider
    /// supplies it, e.g. from its configuration).
    pub optional_for_import: bool,
    /// Markdown.
    pub description: String,
}

impl IdentitySchema {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bump when stored identities need upgrading (see `Resource::upgrade_identity`).
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    pub fn attr(mut self, attribute: IdentityAttribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    /// The identity of the object `state` describes: the state's attributes of the
    /// same names (null where the state has none). Unknown where the state is still
    /// unknown, as in a plan for create.
    pub fn project(&self, state: &Value) -> Value {
        let attrs: BTreeMap<String, Value> = self
            .attributes
            .iter()
            .map(|a| {
                let v = match state {
                    Value::Unknown => Value::Unknown,
                    _ => state.attr(&a.name).cloned().unwrap_or(Value::Null),
                };
                (a.name.clone(), v)
            })
            .collect();
        Value::Object(attrs)
    }

    /// The reverse of [`project`](Self::project) for import by identity: a state with
    /// the identity's attributes set and every other attribute of `state_type` null,
    /// for the resource's read to complete.
    pub fn to_state(&self, identity: &Value, state_type: &Type) -> Value {
        let Type::Object(attrs) = state_type else {
            return Value::Null;
        };
        Value::Object(
            attrs
                .keys()
                .map(|k| (k.clone(), identity.attr(k).cloned().unwrap_or(Value::Null)))
                .collect(),
        )
    }
}

impl IdentityAttribute {
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        IdentityAttribute {
            name: name.into(),
            ty,
            required_for_import: false,
            optional_for_import: false,
            description: String::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    pub fn required_for_import(mut self) -> Self {
        self.required_for_import = true;
        self.optional_for_import = false;
        self
    }

    pub fn optional_for_import(mut self) -> Self {
        self.optional_for_import = true;
        self.required_for_import = false;
        self
    }

    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        IdentitySchema::new().attr(IdentityAttribute::string("id").required_for_import())
    }

    #[test]
    fn projection_of_an_unknown_state_is_unknown_per_attribute() {
        assert_eq!(
            schema().project(&Value::Unknown),
            Value::object([("id", Value::Unknown)])
        );
    }

    #[test]
    fn to_state_sets_identity_attributes_and_nulls_the_rest() {
        let ty = Type::object([("id", Type::String), ("size", Type::Number)]);
        let state = schema().to_state(&Value::object([("id", "x".into())]), &ty);
        assert_eq!(
            state,
            Value::object([("id", Value::from("x")), ("size", Value::Null)])
        );
    }
}
