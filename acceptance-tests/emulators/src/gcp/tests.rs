//! Tests of the gcp part over HTTP.
