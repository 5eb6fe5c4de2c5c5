//! The figures as plain-text tables on stdout.

use std::time::Duration;

use super::measure::{ProviderFigures, Settings};
use super::stats::Summary;

/// Below this many samples a percentile is only the maximum renamed, so it is
/// left blank rather than suggesting a precision it does not have.
const MIN_SAMPLES_FOR_P95: usize = 20;
const MIN_SAMPLES_FOR_P99: usize = 100;

#[derive(Clone, Copy)]
enum Unit {
    Millis,
    Micros,
}

impl Unit {
    fn label(self) -> &'static str {
        match self {
            Unit::Millis => "ms",
            Unit::Micros => "µs",
        }
    }

    fn format(self, duration: Duration) -> String {
        match self {
            Unit::Millis => format!("{:.2}", duration.as_secs_f64() * 1e3),
            Unit::Micros => format!("{:.1}", duration.as_secs_f64() * 1e6),
        }
    }
}

pub fn print_header(settings: Settings) {
    println!("Terraform provider start-up, launched as Terraform 1.x launches a plugin");
    println!(
        "{} plugin lives per provider (spawn, handshake, mTLS connect, cold GetProviderSchema, \
         Shutdown); {} warm GetProviderSchema calls in the last one",
        settings.starts, settings.schema_calls
    );
}

pub fn print_provider(name: &str, figures: &ProviderFigures) {
    println!();
    println!("{name}  ({})", figures.binary.display());
    println!(
        "  {:<30} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "", "samples", "min", "p50", "p95", "p99", "max"
    );
    let rows = [
        (
            "start → handshake line",
            Unit::Millis,
            &figures.time_to_handshake,
        ),
        ("mTLS connect", Unit::Millis, &figures.connect),
        ("GetProviderSchema cold", Unit::Micros, &figures.cold_schema),
        ("GetProviderSchema warm", Unit::Micros, &figures.warm_schema),
        ("Shutdown → exit", Unit::Millis, &figures.shutdown),
    ];
    for (label, unit, summary) in rows {
        print_row(label, unit, summary);
    }

    let schema = figures.schema;
    println!(
        "  {:<30} {} bytes ({:.1} KiB): {} resources, {} data sources, \
         {} ephemeral resources, {} functions",
        "GetProviderSchema response",
        schema.encoded_bytes,
        schema.encoded_bytes as f64 / 1024.0,
        schema.resources,
        schema.data_sources,
        schema.ephemeral_resources,
        schema.functions,
    );
    println!(
        "  {:<30} peak RSS (VmHWM) {:.1} MiB, RSS now (VmRSS) {:.1} MiB",
        "memory after warm calls",
        mib(figures.memory.peak_rss_kib),
        mib(figures.memory.rss_kib),
    );
}

/// One line per provider with the figures people compare.
pub fn print_comparison(results: &[(String, ProviderFigures)]) {
    println!();
    println!(
        "{:<30} {:>14} {:>14} {:>14} {:>12} {:>13}",
        "summary (p50)",
        "handshake ms",
        "cold schema µs",
        "warm schema µs",
        "schema bytes",
        "peak RSS MiB"
    );
    for (name, figures) in results {
        println!(
            "{:<30} {:>14} {:>14} {:>14} {:>12} {:>13.1}",
            name,
            Unit::Millis.format(figures.time_to_handshake.percentile(50.0)),
            Unit::Micros.format(figures.cold_schema.percentile(50.0)),
            Unit::Micros.format(figures.warm_schema.percentile(50.0)),
            figures.schema.encoded_bytes,
            mib(figures.memory.peak_rss_kib),
        );
    }
}

fn print_row(label: &str, unit: Unit, summary: &Summary) {
    let percentile = |percent: f64, needed: usize| {
        if summary.count() >= needed {
            unit.format(summary.percentile(percent))
        } else {
            "-".to_string()
        }
    };
    println!(
        "  {:<30} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10}",
        format!("{label} ({})", unit.label()),
        summary.count(),
        unit.format(summary.min()),
        unit.format(summary.percentile(50.0)),
        percentile(95.0, MIN_SAMPLES_FOR_P95),
        percentile(99.0, MIN_SAMPLES_FOR_P99),
        unit.format(summary.max()),
    );
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
