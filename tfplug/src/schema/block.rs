//! Blocks: the body of a schema, and nested blocks (`aws { ... }`).

use super::Attribute;
use crate::value::Type;

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one; null when absent.
    Single,
    /// Exactly one, always present (its attributes may be null).
    Group,
    List,
    Set,
    Map,
}

/// A block: attributes plus nested blocks.
#[derive(Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecation: Option<String>,
}

/// A nested block type with its nesting mode and item limits.
#[derive(Clone)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: BlockNesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }

    pub fn attrs(mut self, attrs: impl IntoIterator<Item = Attribute>) -> Self {
        self.attributes.extend(attrs);
        self
    }

    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    pub fn describe(mut self, markdown: impl Into<String>) -> Self {
        self.description = markdown.into();
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn nested_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The object type of this block's values.
    pub fn value_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()));
        let blocks = self.blocks.iter().map(|b| (b.name.clone(), b.value_type()));
        Type::Object(attrs.chain(blocks).collect())
    }
}

impl NestedBlock {
    pub fn new(name: impl Into<String>, nesting: BlockNesting, block: Block) -> Self {
        NestedBlock {
            name: name.into(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        }
    }

    /// A block written at most once: `aws { ... }`.
    pub fn single(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, BlockNesting::Single, block)
    }

    pub fn list(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, BlockNesting::List, block)
    }

    /// The block must be written (for a single block: exactly once, which Terraform
    /// spells as min = max = 1).
    pub fn required(mut self) -> Self {
        self.min_items = 1;
        if self.nesting == BlockNesting::Single {
            self.max_items = 1;
        }
        self
    }

    pub fn min_items(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }

    pub fn max_items(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }

    pub fn value_type(&self) -> Type {
        let obj = self.block.value_type();
        match self.nesting {
            BlockNesting::Single | BlockNesting::Group => obj,
            BlockNesting::List => Type::list(obj),
            BlockNesting::Set => Type::set(obj),
            BlockNesting::Map => Type::map(obj),
        }
    }
}
