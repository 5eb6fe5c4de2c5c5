//! Listening, serving and the graceful drain.
//!
//! On the shutdown signal the server: marks itself not ready, stops accepting
//! connections, lets requests already in progress finish, and returns once they have —
//! or once `SHUTDOWN_TIMEOUT_SECONDS` has passed, reporting what it abandoned.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use serde_json::json;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::logging;
use crate::routes;
use crate::state::AppState;

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on port {port}: {source}")]
    Bind { port: u16, source: io::Error },
    #[error("server failed: {0}")]
    Io(#[from] io::Error),
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Every in-flight request finished.
    Drained,
    /// The drain limit passed with this many requests still running.
    TimedOut { abandoned: i64 },
}

/// Listens on every interface: dual-stack `[::]` where the kernel has IPv6 (IPv6-only
/// and dual-stack clusters), `0.0.0.0` where it does not.
pub async fn bind(port: u16) -> Result<TcpListener, ServeError> {
    match TcpListener::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port))).await {
        Ok(listener) => Ok(listener),
        Err(_) => TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))
            .await
            .map_err(|source| ServeError::Bind { port, source }),
    }
}

/// Serves until `shutdown` completes, then drains (see the module docs).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Shutdown, ServeError> {
    let drain_started = Arc::new(Notify::new());
    let readiness = state.readiness.clone();
    let metrics = state.metrics.clone();
    let drain_limit = state.config.shutdown_timeout;

    let signal = {
        let drain_started = drain_started.clone();
        async move {
            shutdown.await;
            readiness.start_draining();
            logging::info(
                "draining",
                json!({"in_flight": metrics.in_flight(), "limit_s": drain_limit.as_secs()}),
            );
            drain_started.notify_one();
        }
    };
    let server =
        axum::serve(listener, routes::router(state.clone())).with_graceful_shutdown(signal);
    let deadline = async {
        drain_started.notified().await;
        tokio::time::sleep(drain_limit).await;
    };

    tokio::select! {
        served = server => {
            served?;
            Ok(Shutdown::Drained)
        }
        () = deadline => Ok(Shutdown::TimedOut { abandoned: state.metrics.in_flight() }),
    }
}
