//! Prometheus metrics, kept in memory and rendered in the text exposition format
//! (version 0.0.4) on `GET /metrics`.
//!
//! Hand-written rather than a metrics crate: a few counters, a gauge and one histogram
//! are all this server needs. Labels use the matched route pattern
//! (`/v2/models/{name}/infer`), never the raw path, so that clients cannot create
//! unbounded series.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::model::CLASSES;

/// Upper bounds (seconds) of the request latency histogram: this server answers in
/// tens of microseconds, a slow node in milliseconds.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RequestKey {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RouteKey {
    route: String,
    method: String,
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; rendering accumulates them.
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(bucket) = LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[bucket] += 1;
        }
        self.count += 1;
        self.sum_seconds += seconds;
    }
}

/// All metrics of one server. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    model_name: String,
    class_labels: [String; CLASSES],
    requests: Mutex<BTreeMap<RequestKey, u64>>,
    latency: Mutex<BTreeMap<RouteKey, Histogram>>,
    in_flight: AtomicI64,
    rows_scored: AtomicU64,
    predictions: [AtomicU64; CLASSES],
}

impl Metrics {
    pub fn new(model_name: &str, class_labels: [String; CLASSES]) -> Self {
        Self {
            model_name: model_name.to_owned(),
            class_labels,
            requests: Mutex::default(),
            latency: Mutex::default(),
            in_flight: AtomicI64::new(0),
            rows_scored: AtomicU64::new(0),
            predictions: Default::default(),
        }
    }

    /// Marks a request as started; it stays in flight until the guard is dropped, which
    /// also covers requests abandoned by a disconnecting client.
    pub fn start_request(&self) -> InFlightGuard<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlightGuard { metrics: self }
    }

    /// Counts one finished request and records how long it took.
    pub fn record_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        *lock(&self.requests)
            .entry(RequestKey {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .or_default() += 1;
        lock(&self.latency)
            .entry(RouteKey {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Counts scored rows and the class each was assigned.
    pub fn record_predictions(&self, class_indices: impl IntoIterator<Item = usize>) {
        let mut rows = 0;
        for class in class_indices {
            self.predictions[class].fetch_add(1, Ordering::Relaxed);
            rows += 1;
        }
        self.rows_scored.fetch_add(rows, Ordering::Relaxed);
    }

    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let model = escape_label(&self.model_name);

        family(
            &mut out,
            "mlcloud_smoke_http_requests_total",
            "counter",
            "HTTP requests answered, by matched route, method and status code.",
        );
        for (key, count) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "mlcloud_smoke_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {count}",
                escape_label(&key.route),
                key.method,
                key.status
            );
        }

        family(
            &mut out,
            "mlcloud_smoke_http_request_duration_seconds",
            "histogram",
            "Time from receiving a request to having its response ready.",
        );
        for (key, histogram) in lock(&self.latency).iter() {
            let labels = format!(
                "route=\"{}\",method=\"{}\"",
                escape_label(&key.route),
                key.method
            );
            let mut cumulative = 0;
            for (bound, count) in LATENCY_BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "mlcloud_smoke_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "mlcloud_smoke_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 mlcloud_smoke_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 mlcloud_smoke_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count, histogram.sum_seconds, histogram.count
            );
        }

        family(
            &mut out,
            "mlcloud_smoke_http_requests_in_flight",
            "gauge",
            "Requests being processed right now, including this scrape.",
        );
        let _ = writeln!(
            out,
            "mlcloud_smoke_http_requests_in_flight {}",
            self.in_flight()
        );

        family(
            &mut out,
            "mlcloud_smoke_inference_rows_total",
            "counter",
            "Rows (samples) scored by the model.",
        );
        let _ = writeln!(
            out,
            "mlcloud_smoke_inference_rows_total{{model=\"{model}\"}} {}",
            self.rows_scored.load(Ordering::Relaxed)
        );

        family(
            &mut out,
            "mlcloud_smoke_predictions_total",
            "counter",
            "Rows scored, by predicted class.",
        );
        for (label, count) in self.class_labels.iter().zip(&self.predictions) {
            let _ = writeln!(
                out,
                "mlcloud_smoke_predictions_total{{model=\"{model}\",class=\"{}\"}} {}",
                escape_label(label),
                count.load(Ordering::Relaxed)
            );
        }

        family(
            &mut out,
            "mlcloud_smoke_build_info",
            "gauge",
            "Always 1; the labels say which server version serves which model.",
        );
        let _ = writeln!(
            out,
            "mlcloud_smoke_build_info{{version=\"{}\",model=\"{model}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

/// Decrements the in-flight gauge when dropped.
#[derive(Debug)]
pub struct InFlightGuard<'a> {
    metrics: &'a Metrics,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A poisoned lock only means another request panicked mid-update; counters are still
/// usable, so keep serving rather than cascading the panic.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Label values escape backslash, double quote and newline, per the exposition format.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        Metrics::new(
            "iris",
            ["setosa".into(), "versicolor".into(), "virginica".into()],
        )
    }

    #[test]
    fn requests_are_counted_per_route_method_and_status() {
        let metrics = metrics();
        metrics.record_request("/v2", "GET", 200, Duration::from_micros(50));
        metrics.record_request("/v2", "GET", 200, Duration::from_micros(70));
        metrics.record_request("/v2", "GET", 404, Duration::from_millis(3));
        let text = metrics.render();
        assert!(text.contains(
            "mlcloud_smoke_http_requests_total{route=\"/v2\",method=\"GET\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "mlcloud_smoke_http_requests_total{route=\"/v2\",method=\"GET\",status=\"404\"} 1\n"
        ));
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = metrics();
        metrics.record_request("/m", "POST", 200, Duration::from_micros(50)); // <= 0.0001
        metrics.record_request("/m", "POST", 200, Duration::from_millis(2)); // <= 0.0025
        metrics.record_request("/m", "POST", 200, Duration::from_secs(5)); // only +Inf
        let text = metrics.render();
        let bucket = |le: &str| {
            format!(
                "mlcloud_smoke_http_request_duration_seconds_bucket{{route=\"/m\",method=\"POST\",le=\"{le}\"}} "
            )
        };
        assert!(text.contains(&(bucket("0.0001") + "1\n")));
        assert!(text.contains(&(bucket("0.001") + "1\n")));
        assert!(text.contains(&(bucket("0.0025") + "2\n")));
        assert!(text.contains(&(bucket("2.5") + "2\n")));
        assert!(text.contains(&(bucket("+Inf") + "3\n")));
        assert!(text.contains(
            "mlcloud_smoke_http_request_duration_seconds_count{route=\"/m\",method=\"POST\"} 3\n"
        ));
    }

    #[test]
    fn in_flight_follows_guards() {
        let metrics = metrics();
        let first = metrics.start_request();
        let second = metrics.start_request();
        assert_eq!(metrics.in_flight(), 2);
        drop(first);
        assert!(
            metrics
                .render()
                .contains("mlcloud_smoke_http_requests_in_flight 1\n")
        );
        drop(second);
        assert_eq!(metrics.in_flight(), 0);
    }

    #[test]
    fn predictions_are_counted_per_class() {
        let metrics = metrics();
        metrics.record_predictions([0, 2, 2]);
        let text = metrics.render();
        assert!(text.contains("mlcloud_smoke_inference_rows_total{model=\"iris\"} 3\n"));
        assert!(
            text.contains("mlcloud_smoke_predictions_total{model=\"iris\",class=\"setosa\"} 1\n")
        );
        assert!(
            text.contains(
                "mlcloud_smoke_predictions_total{model=\"iris\",class=\"versicolor\"} 0\n"
            )
        );
        assert!(
            text.contains(
                "mlcloud_smoke_predictions_total{model=\"iris\",class=\"virginica\"} 2\n"
            )
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
