//! # driver-remote: the `ComputeDriver` contract over gRPC
//!
//! The protocol (`proto/compute/v1/*.proto`, package `compute.v1`) gives
//! every method of [`driver_api::ComputeDriver`] one RPC with typed messages,
//! errors as a status carrying the [`driver_api::ErrorKind`] and every field
//! of the error, lifecycle events as a server stream, and snapshot and
//! live-migration callbacks as streamed messages. A second service,
//! `BackendFactory`, makes fresh isolated backends on demand, so the
//! conformance suite keeps one backend per case over the wire.
//!
//! - [`server`]: serves any [`conformance::BackendFactory`] (its first
//!   backend answers calls without a `compute-backend` id).
//! - [`client::RemoteDriver`]: a `ComputeDriver` over a channel (or
//!   several connections taken in turn);
//!   [`client::RemoteFactory`]: a `BackendFactory` whose backends live in a
//!   server.
//! - [`endpoint`]: `unix:PATH` (socket mode 0600; a client trusts only its
//!   own user's or root's) or `tcp:HOST:PORT` (TLS only, mutual TLS with a
//!   client CA).
//! - the `compute-serve` binary: the fake behind an endpoint.
#![forbid(unsafe_code)]

pub mod client;
pub mod endpoint;
pub mod fake;
mod redact;
pub mod server;
pub mod status;
pub mod wire;

/// The code generated from `proto/compute/v1` (package `compute.v1`).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("compute.v1");
}

/// The request metadata key naming the backend a call is for.
pub const BACKEND_HEADER: &str = "compute-backend";

/// The response metadata key carrying the backend's last event sequence
/// number when the call finished.
pub const EVENT_SEQ_HEADER: &str = "compute-event-seq";
