//! Idempotency tokens for creates (EKS `clientRequestToken`, EC2 `ClientToken`) and the
//! create-token tags that let a create recognise its own object after a lost response.
//!
//! AWS answers a reused token with the *original* request's result, even when that
//! object has since been deleted. A token derived from the name or spec would hand a
//! `terraform apply -replace`, or destroy-then-apply of the same spec, the deleted
//! object back. So every create draws a fresh random token, and only that create's own
//! retries (the SDK's, and ours around the same request) send it again.

/// The tag on a KMS key or IAM role holding the token of the create that made it: a
/// create that lost its response finds the object again by name and adopts it only when
/// this tag carries its own token, never an object another state created.
pub const CREATE_TOKEN_TAG: &str = "mlcloud-create-token";

/// The longest token every API we send one to accepts (EC2 `ClientToken`: 64 ASCII).
const MAX_LEN: usize = 64;

/// A fresh token: `mlcloud-` and 128 random bits in hex (40 characters of
/// `[a-z0-9-]`, inside EKS's and EC2's limits and legal as a tag value everywhere).
pub fn fresh_token() -> String {
    let token = format!("mlcloud-{:032x}", fastrand::u128(..));
    debug_assert!(token.len() <= MAX_LEN);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_create_gets_its_own_token_within_the_limits() {
        let tokens: std::collections::BTreeSet<String> = (0..1000).map(|_| fresh_token()).collect();
        assert_eq!(tokens.len(), 1000, "tokens repeat");
        for token in &tokens {
            assert!(
                token.len() <= MAX_LEN && token.starts_with("mlcloud-"),
                "{token}"
            );
            assert!(
                token
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{token}"
            );
        }
    }
}
