//! Attribute paths: where in a value a diagnostic points.

use std::fmt;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute or nested block by name.
    Attribute(String),
    /// A map element by key.
    Key(String),
    /// A list, tuple or set element by position.
    Index(i64),
}

/// A path from the root of a resource's value to one attribute or element.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    /// The empty path (the whole value).
    pub fn root() -> Self {
        AttributePath(Vec::new())
    }

    /// A path to a top-level attribute.
    pub fn attr(name: impl Into<String>) -> Self {
        AttributePath(vec![PathStep::Attribute(name.into())])
    }

    /// This path extended by an attribute.
    pub fn push_attr(&self, name: impl Into<String>) -> Self {
        self.with(PathStep::Attribute(name.into()))
    }

    /// This path extended by a map key.
    pub fn push_key(&self, key: impl Into<String>) -> Self {
        self.with(PathStep::Key(key.into()))
    }

    /// This path extended by an element index.
    pub fn push_index(&self, index: i64) -> Self {
        self.with(PathStep::Index(index))
    }

    fn with(&self, step: PathStep) -> Self {
        let mut steps = self.0.clone();
        steps.push(step);
        AttributePath(steps)
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the dotted form used in docs and tests: `a.b[0]["k"]`.
    pub fn parse(text: &str) -> Self {
        let mut steps = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                steps.push(PathStep::Attribute(name.to_owned()));
            }
            while let Some(end) = rest.find(']') {
                let inner = &rest[1..end];
                match inner.parse::<i64>() {
                    Ok(i) => steps.push(PathStep::Index(i)),
                    Err(_) => steps.push(PathStep::Key(inner.trim_matches('"').to_owned())),
                }
                rest = &rest[end + 1..];
            }
        }
        AttributePath(steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(n) if i == 0 => f.write_str(n)?,
                PathStep::Attribute(n) => write!(f, ".{n}")?,
                PathStep::Key(k) => write!(f, "[\"{k}\"]")?,
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_agree() {
        let p = AttributePath::attr("aws")
            .push_attr("endpoints")
            .push_index(2)
            .push_key("k");
        assert_eq!(p.to_string(), r#"aws.endpoints[2]["k"]"#);
        assert_eq!(AttributePath::parse(&p.to_string()), p);
    }
}
