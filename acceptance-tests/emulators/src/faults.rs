//! Faults scripted per test through the admin route: "answer the 2nd CreateRole with
//! a throttling error", "apply the next PUT of an agent pool and drop its response".
//!
//! A rule matches requests to one part by operation name (what the part calls it:
//! `CreateRole`, `eks:CreateNodegroup`, ...), method and a path fragment; it fires on
//! the `nth` match and the `times - 1` matches after it (`times: 0` = every match from
//! the `nth` on). Rules are tried in the order they were added; the first that fires
//! decides.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a fired rule does to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// The part's own throttling error (AWS `ThrottlingException`, ARM 429
    /// `TooManyRequests`, Google `RESOURCE_EXHAUSTED`), with `Retry-After`.
    Throttle {
        #[serde(default = "one")]
        retry_after_seconds: u64,
    },
    /// The part's own server error with this status (500, 503, ...).
    ServerError {
        #[serde(default = "five_hundred")]
        status: u16,
    },
    /// Exactly this response; the part is not called.
    Respond {
        status: u16,
        #[serde(default)]
        headers: Vec<(String, String)>,
        #[serde(default)]
        body: String,
    },
    /// The part handles the request (a write is applied), then the connection is
    /// closed without a response: the client cannot tell whether it happened.
    DropResponse,
    /// Wait this long, then handle the request as usual.
    Delay { ms: u64 },
    /// Handle the request (a write is applied), then hold the answer this long: a
    /// service that answers once work the emulator cannot see is done (an EKS node
    /// group is ACTIVE only after its nodes joined, which in tests a harness does
    /// while the answer waits).
    DelayResponse { ms: u64 },
}

fn one() -> u64 {
    1
}

fn five_hundred() -> u16 {
    500
}

/// One scripted fault, as posted to the admin route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The part it applies to (`aws`, `azure`, `gcp`, `kubernetes`); any when absent.
    #[serde(default)]
    pub part: Option<String>,
    /// The operation name the part gives the request, compared exactly.
    #[serde(default)]
    pub operation: Option<String>,
    /// The HTTP method, compared case-insensitively.
    #[serde(default)]
    pub method: Option<String>,
    /// A fragment the request path must contain.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Fires from the nth matching request on (1 = the first).
    #[serde(default = "first")]
    pub nth: u32,
    /// How many matches it fires for; 0 = every one.
    #[serde(default = "first")]
    pub times: u32,
    pub action: FaultAction,
}

fn first() -> u32 {
    1
}

/// A rule with what has happened to it so far, as the admin route lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FaultStatus {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Requests that matched the rule.
    pub matched: u32,
    /// Requests the rule acted on.
    pub fired: u32,
}

/// What the server knows of a request when it asks whether a fault applies.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    pub part: &'a str,
    pub operation: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
}

/// Every rule of the running emulator.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Mutex<Vec<FaultStatus>>,
    next_id: Mutex<u64>,
}

impl FaultRule {
    fn matches(&self, request: &RequestFacts<'_>) -> bool {
        self.part.as_deref().is_none_or(|part| part == request.part)
            && self
                .operation
                .as_deref()
                .is_none_or(|operation| Some(operation) == request.operation)
            && self
                .method
                .as_deref()
                .is_none_or(|method| method.eq_ignore_ascii_case(request.method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|fragment| request.path.contains(fragment))
    }
}

impl FaultStatus {
    /// Counts a matching request and says whether the rule acts on it (only when
    /// no earlier rule has: `may_fire`).
    fn fires_on_next_match(&mut self, may_fire: bool) -> bool {
        self.matched += 1;
        let from = self.rule.nth.max(1);
        let fires = may_fire
            && self.matched >= from
            && (self.rule.times == 0 || self.fired < self.rule.times);
        if fires {
            self.fired += 1;
        }
        fires
    }
}

impl FaultBook {
    /// Adds a rule; returns its id.
    pub fn add(&self, rule: FaultRule) -> u64 {
        let mut next_id = self.next_id.lock().expect("fault ids");
        *next_id += 1;
        let id = *next_id;
        self.rules.lock().expect("fault rules").push(FaultStatus {
            id,
            rule,
            matched: 0,
            fired: 0,
        });
        id
    }

    /// Forgets every rule.
    pub fn clear(&self) {
        self.rules.lock().expect("fault rules").clear();
    }

    pub fn list(&self) -> Vec<FaultStatus> {
        self.rules.lock().expect("fault rules").clone()
    }

    /// The action for this request, if a rule fires. Every matching rule counts the
    /// request, so `nth` means the nth request of that kind, whatever fired before;
    /// a rule that an earlier one pre-empted keeps its turn for the next match.
    pub fn action_for(&self, request: &RequestFacts<'_>) -> Option<FaultAction> {
        let mut rules = self.rules.lock().expect("fault rules");
        let mut action = None;
        for status in rules
            .iter_mut()
            .filter(|status| status.rule.matches(request))
        {
            if status.fires_on_next_match(action.is_none()) {
                action = Some(status.rule.action.clone());
            }
        }
        action
    }
}

impl FaultAction {
    pub fn delay(&self) -> Option<Duration> {
        match self {
            FaultAction::Delay { ms } => Some(Duration::from_millis(*ms)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).unwrap()
    }

    fn request<'a>(operation: &'a str, path: &'a str) -> RequestFacts<'a> {
        RequestFacts {
            part: "aws",
            operation: Some(operation),
            method: "POST",
            path,
        }
    }

    #[test]
    fn fires_on_the_nth_match_for_times_matches() {
        let book = FaultBook::default();
        book.add(rule(
            r#"{"part": "aws", "operation": "CreateRole", "nth": 2, "times": 2, "action": "drop_response"}"#,
        ));
        let fired: Vec<bool> = (0..4)
            .map(|_| book.action_for(&request("CreateRole", "/")).is_some())
            .collect();
        assert_eq!(fired, [false, true, true, false]);
        assert!(book.action_for(&request("GetRole", "/")).is_none());
        let status = &book.list()[0];
        assert_eq!((status.matched, status.fired), (4, 2));
    }

    #[test]
    fn times_zero_fires_forever_and_the_first_rule_decides() {
        let book = FaultBook::default();
        book.add(rule(
            r#"{"method": "put", "path_contains": "/agentPools/", "times": 0, "action": {"throttle": {"retry_after_seconds": 2}}}"#,
        ));
        book.add(rule(r#"{"action": {"server_error": {}}}"#));
        let put = RequestFacts {
            part: "azure",
            operation: None,
            method: "PUT",
            path: "/subscriptions/s/agentPools/gpu",
        };
        for _ in 0..3 {
            assert_eq!(
                book.action_for(&put),
                Some(FaultAction::Throttle {
                    retry_after_seconds: 2
                })
            );
        }
        assert_eq!(
            book.action_for(&request("GetRole", "/")),
            Some(FaultAction::ServerError { status: 500 })
        );
        book.clear();
        assert!(book.list().is_empty());
    }
}
