//! The three clouds mlcloud provisions on, named as users write them in HCL. Every layer
//! names a cloud with this type, so it lives at the crate root rather than in any one
//! layer (the catalog, the backends and the resources all use it).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A cloud that mlcloud provisions on.
///
/// Parses from and prints as the lowercase name users write in the `cloud`
/// attribute of every resource.
///
/// ```
/// use mlcloud_provider::Cloud;
///
/// let cloud: Cloud = "gcp".parse().unwrap();
/// assert_eq!(cloud, Cloud::Gcp);
/// assert_eq!(cloud.to_string(), "gcp");
/// assert!("GCP".parse::<Cloud>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Amazon Web Services (EKS on EC2 instance types).
    Aws,
    /// Microsoft Azure (AKS on VM sizes).
    Azure,
    /// Google Cloud (GKE on Compute Engine machine types).
    Gcp,
}

impl Cloud {
    /// Every cloud, in the order documentation and error messages list them.
    ///
    /// ```
    /// use mlcloud_provider::Cloud;
    ///
    /// let names: Vec<String> = Cloud::ALL.iter().map(Cloud::to_string).collect();
    /// assert_eq!(names, ["aws", "azure", "gcp"]);
    /// ```
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Azure, Cloud::Gcp];

    /// The name users write in HCL: `"aws"`, `"azure"` or `"gcp"`.
    ///
    /// ```
    /// use mlcloud_provider::Cloud;
    ///
    /// assert_eq!(Cloud::Azure.as_str(), "azure");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cloud name that is not one of `aws`, `azure`, `gcp`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud {name:?}; supported clouds: aws, azure, gcp")]
pub struct UnknownCloud {
    /// What the user wrote.
    pub name: String,
}

impl FromStr for Cloud {
    type Err = UnknownCloud;

    /// Accepts exactly the lowercase names: the value is part of the user-facing
    /// contract, and accepting variants would make plans differ by spelling.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Cloud::ALL
            .into_iter()
            .find(|cloud| cloud.as_str() == name)
            .ok_or_else(|| UnknownCloud {
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_name_back_to_its_cloud() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(cloud));
        }
    }

    #[test]
    fn rejects_other_spellings_and_lists_the_valid_names() {
        let error = "AWS".parse::<Cloud>().unwrap_err();
        assert_eq!(
            error,
            UnknownCloud {
                name: "AWS".to_owned()
            }
        );
        assert_eq!(
            error.to_string(),
            r#"unknown cloud "AWS"; supported clouds: aws, azure, gcp"#
        );
    }

    #[test]
    fn serializes_as_the_hcl_name() {
        assert_eq!(serde_json::to_string(&Cloud::Azure).unwrap(), r#""azure""#);
        let parsed: Cloud = serde_json::from_str(r#""gcp""#).unwrap();
        assert_eq!(parsed, Cloud::Gcp);
    }
}
