//! EKS's idempotency tokens, which moto ignores: a create repeated with the
//! `clientRequestToken` of an earlier successful one, and the same request, gets that
//! create's answer again instead of a second object or a `ResourceInUseException`.
//! That is what lets the AWS SDK retry a create whose response was lost, and what
//! hands back the original result when a client reuses a token for a later create.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http::Response;

/// (operation, path, token): what a repeat must match.
pub type TokenKey = (String, String, String);

/// Successful creates by [`TokenKey`], with the request body they had.
#[derive(Default)]
pub struct TokenBook {
    answered: Mutex<HashMap<TokenKey, (Bytes, Response<Bytes>)>>,
}

/// The key of a request that carries a token.
pub fn key_of(operation: &str, path: &str, body: &serde_json::Value) -> Option<TokenKey> {
    let token = body["clientRequestToken"].as_str()?;
    Some((operation.to_string(), path.to_string(), token.to_string()))
}

impl TokenBook {
    /// The earlier answer to this token, when the request is the same.
    pub fn replay(&self, key: &TokenKey, body: &Bytes) -> Option<Response<Bytes>> {
        let answered = self.answered.lock().expect("tokens");
        let (earlier_body, response) = answered.get(key)?;
        (earlier_body == body).then(|| response.clone())
    }

    /// Remembers a successful answer.
    pub fn remember(&self, key: TokenKey, body: Bytes, response: &Response<Bytes>) {
        if response.status().is_success() {
            self.answered
                .lock()
                .expect("tokens")
                .insert(key, (body, response.clone()));
        }
    }

    pub fn reset(&self) {
        self.answered.lock().expect("tokens").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_request_with_the_same_token_gets_the_first_answer() {
        let book = TokenBook::default();
        let body = json!({"name": "ml", "clientRequestToken": "t1"});
        let key = key_of("CreateCluster", "/clusters", &body).unwrap();
        let bytes = Bytes::from(body.to_string());
        assert!(book.replay(&key, &bytes).is_none());
        book.remember(
            key.clone(),
            bytes.clone(),
            &Response::new(Bytes::from_static(b"first")),
        );
        assert_eq!(book.replay(&key, &bytes).unwrap().body(), "first");
        assert!(
            book.replay(&key, &Bytes::from_static(b"{\"other\": 1}"))
                .is_none(),
            "another request with the token is not a repeat"
        );
        assert!(key_of("CreateCluster", "/clusters", &json!({"name": "ml"})).is_none());
        let failed = Response::builder().status(409).body(Bytes::new()).unwrap();
        let key2 = key_of(
            "CreateCluster",
            "/clusters",
            &json!({"clientRequestToken": "t2"}),
        )
        .unwrap();
        book.remember(key2.clone(), bytes.clone(), &failed);
        assert!(
            book.replay(&key2, &bytes).is_none(),
            "only successes are remembered"
        );
    }
}
