//! Checks shared by the stories: Terraform's diagnostics, the state's tags, ids and
//! identities, and what the provider sent to moto.

use acceptance_tests::{AwsRequest, Moto, MotoError, State};
use serde_json::Value;

use crate::records::{Tags, state_tags};
use crate::stack::DEFAULT_TAGS;

/// The values of the resource at `address`; panics naming what the state holds.
#[track_caller]
pub fn resource<'a>(state: &'a State, address: &str) -> &'a Value {
    state
        .resource(address)
        .unwrap_or_else(|| panic!("{address} is not in state: {:?}", state.addresses()))
}

/// `tags_all` in state: the resource's tags merged over the provider's default tags.
/// Scenarios compare it with the tags in moto: `tags_all` is what is applied, no more.
#[track_caller]
pub fn assert_tags_all(state: &State, address: &str, own: &[(&str, &str)]) -> Tags {
    let values = resource(state, address);
    let mut expected: Tags = DEFAULT_TAGS
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    for (key, value) in own {
        expected.insert(key.to_string(), value.to_string());
    }
    let tags_all = state_tags(&values["tags_all"]);
    assert_eq!(tags_all, expected, "{address}: tags_all");
    tags_all
}

/// `RotationPeriodInDays` of each `EnableKeyRotation` the provider sent, in order.
/// Moto 5.2 accepts the period but keeps no record of it, so this is the only
/// place a test can see it reach AWS.
pub fn rotation_periods_sent(moto: &Moto) -> Result<Vec<i64>, MotoError> {
    Ok(moto
        .requests()?
        .iter()
        .filter(|request| request.service == "kms" && request.operation == "EnableKeyRotation")
        .map(|request| {
            request
                .json_body()
                .and_then(|body| body["RotationPeriodInDays"].as_i64())
                .unwrap_or_default()
        })
        .collect())
}

/// The requests of the provider that could have changed something.
pub fn mutating_requests(moto: &Moto) -> Result<Vec<AwsRequest>, MotoError> {
    Ok(moto
        .requests()?
        .into_iter()
        .filter(AwsRequest::is_mutating)
        .collect())
}

/// The `id` (an ARN) of the resource at `address`.
#[track_caller]
pub fn arn_of(state: &State, address: &str) -> String {
    let arn = resource(state, address)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        arn.starts_with("arn:aws:"),
        "{address} is known by its ARN: {arn:?}"
    );
    arn
}

/// The identity Terraform stored for the resource at `address` (`show -json`).
#[track_caller]
pub fn identity<'a>(state: &'a State, address: &str) -> &'a Value {
    state.0["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| &r["identity"])
        .unwrap_or_else(|| panic!("{address} is not in state: {}", state.0))
}

/// Every attribute of `theirs` at `address` has the same value in `mine`.
#[track_caller]
pub fn same_values(address: &str, mine: &State, theirs: &State) {
    let (mine, theirs) = (resource(mine, address), resource(theirs, address));
    let differing: Vec<&String> = theirs
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(attribute, value)| mine.get(attribute.as_str()) != Some(value))
        .map(|(attribute, _)| attribute)
        .collect();
    assert!(
        differing.is_empty(),
        "{address}: imported {differing:?} differ\nimported: {mine}\ncreated:  {theirs}"
    );
}
