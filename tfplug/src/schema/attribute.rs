//! Attributes and their builder.

use super::{PlanModifier, Validator, plan_modifiers, validators};
use crate::value::{Type, Value};
use std::sync::Arc;

/// How a nested attribute holds its objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectNesting {
    Single,
    List,
    Set,
    Map,
}

/// What an attribute holds: a value of a type, or nested attributes.
#[derive(Clone)]
pub enum AttributeKind {
    Typed(Type),
    Nested {
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    },
}

/// One attribute. Build with [`Attribute::string`] and friends, then chain settings:
///
/// ```
/// use tfplug::schema::{Attribute, validators};
/// let name = Attribute::string("name")
///     .required()
///     .requires_replace()
///     .validate(validators::length_between(1, 63))
///     .describe("The item's name. Changing it replaces the item.");
/// assert!(name.required);
/// ```
#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecation: Option<String>,
    /// Planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
}

impl Attribute {
    pub fn typed(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            kind: AttributeKind::Typed(ty),
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecation: None,
            default: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::typed(name, Type::String)
    }
    pub fn number(name: impl Into<String>) -> Self {
        Self::typed(name, Type::Number)
    }
    pub fn bool(name: impl Into<String>) -> Self {
        Self::typed(name, Type::Bool)
    }
    pub fn list(name: impl Into<String>, elem: Type) -> Self {
        Self::typed(name, Type::list(elem))
    }
    pub fn set(name: impl Into<String>, elem: Type) -> Self {
        Self::typed(name, Type::set(elem))
    }
    pub fn map(name: impl Into<String>, elem: Type) -> Self {
        Self::typed(name, Type::map(elem))
    }
    pub fn dynamic(name: impl Into<String>) -> Self {
        Self::typed(name, Type::Dynamic)
    }

    /// An attribute holding objects with their own attributes (protocol 6 nested attributes).
    pub fn nested(
        name: impl Into<String>,
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    ) -> Self {
        let mut a = Self::typed(name, Type::Dynamic);
        a.kind = AttributeKind::Nested {
            nesting,
            attributes,
        };
        a
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self.required = false;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Never stored in state or plan (Terraform ≥ 1.11); implies optional.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self.optional()
    }
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }
    pub fn describe(mut self, markdown: impl Into<String>) -> Self {
        self.description = markdown.into();
        self
    }
    /// A default planned when the configuration is null; makes the attribute optional
    /// and computed, as Terraform requires for provider-set values.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self.optional().computed()
    }
    pub fn validate(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }
    pub fn plan_modify(mut self, m: impl PlanModifier + 'static) -> Self {
        self.plan_modifiers.push(Arc::new(m));
        self
    }
    /// Changing the attribute replaces the resource.
    pub fn requires_replace(self) -> Self {
        self.plan_modify(plan_modifiers::RequiresReplace)
    }
    /// Keep the prior state's value in the plan instead of "known after apply".
    pub fn use_state_for_unknown(self) -> Self {
        self.plan_modify(plan_modifiers::UseStateForUnknown)
    }
    /// Shorthand for `validate(validators::one_of(..))`.
    pub fn one_of(self, allowed: &[&str]) -> Self {
        self.validate(validators::one_of(allowed))
    }

    /// The type of this attribute's values.
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Typed(t) => t.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let obj = Type::Object(
                    attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                );
                match nesting {
                    ObjectNesting::Single => obj,
                    ObjectNesting::List => Type::list(obj),
                    ObjectNesting::Set => Type::set(obj),
                    ObjectNesting::Map => Type::map(obj),
                }
            }
        }
    }
}
