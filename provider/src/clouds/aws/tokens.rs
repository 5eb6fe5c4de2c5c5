//! Idempotency tokens for EKS creates (`clientRequestToken`).

/// A `clientRequestToken` derived from what is being created, so that a create retried
/// after a lost response is recognised by EKS instead of run twice.
pub fn request_token(parts: &[&str]) -> String {
    // FNV-1a: stable across builds and platforms, unlike `std`'s hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.join("\u{1f}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("mlcloud-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_tokens_are_deterministic_and_distinct() {
        let a = request_token(&["cluster", "ml-main", "spec"]);
        assert_eq!(a, request_token(&["cluster", "ml-main", "spec"]));
        assert_ne!(a, request_token(&["cluster", "ml-other", "spec"]));
        assert_ne!(request_token(&["ab", "c"]), request_token(&["a", "bc"]));
        assert!(a.len() <= 64 && a.starts_with("mlcloud-"));
    }
}
