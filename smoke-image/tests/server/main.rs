//! Tests of the server as clients see it: through its router (no sockets) and, for the
//! lifecycle, through real sockets and the real binary.

mod binary;
mod gpu_fakes;
mod infer_errors;
mod metrics;
mod model;
mod routes;
mod shutdown;
mod support;
