//! The client: [`RemoteDriver`], a `ComputeDriver` whose backend lives in a
//! server, and [`RemoteFactory`], the conformance suite's factory of them.
//!
//! Every call has a deadline: a server that dies mid-call answers
//! `DriverError::Unavailable` (the connection broke) or `DriverError::Timeout`
//! (nothing came back in time), never a hang.

mod answers;
mod driver_impl;
mod events;
mod factory;
mod requests;
mod streams;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use driver_api::{Capabilities, DriverError, DriverMethod, DriverResult};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

pub use factory::{RemoteFactory, RemoteHooks};

use crate::proto;
use crate::proto::backend_factory_client::BackendFactoryClient;
use crate::proto::compute_driver_client::ComputeDriverClient;
use crate::status::CallSite;
use crate::wire::{FromWire, Malformed};
use crate::{BACKEND_HEADER, EVENT_SEQ_HEADER};
use events::{EventFeed, Source};

/// The name a [`RemoteDriver`] gives in the errors it builds.
pub const DRIVER_NAME: &str = "remote";

/// The default deadline of one call.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// A `ComputeDriver` over `compute.v1` channels.
///
/// Its capabilities, name and legacy flag are read once, when it attaches.
/// Over several channels (separate HTTP/2 connections), calls take them in
/// turn: one connection is driven by one task on each side, so a single one
/// keeps calls in flight to one core per side; see
/// [`connect_pool`](crate::endpoint::connect_pool).
/// Dropping a driver made by [`RemoteFactory`] drops its backend on the
/// server.
#[derive(Debug)]
pub struct RemoteDriver {
    clients: Box<[ComputeDriverClient<Channel>]>,
    /// The next call's channel: calls take the channels in turn.
    next: AtomicUsize,
    backend: Option<MetadataValue<Ascii>>,
    backend_name: String,
    capabilities: Capabilities,
    legacy_nwinfo: bool,
    deadline: Duration,
    events: EventFeed,
    release: Option<Release>,
}

/// Drops a factory-made backend on the server when its driver goes.
#[derive(Debug)]
struct Release {
    factory: BackendFactoryClient<Channel>,
    id: String,
}

impl Drop for RemoteDriver {
    fn drop(&mut self) {
        let Some(release) = self.release.take() else {
            return;
        };
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let mut factory = release.factory;
                let request = proto::BackendId {
                    backend_id: release.id,
                };
                // A server already gone has nothing left to drop.
                let _ = factory.drop_backend(request).await;
            });
        }
    }
}

impl RemoteDriver {
    /// The server's own backend over `channel`.
    pub async fn connect(channel: Channel) -> DriverResult<Self> {
        Self::attach(channel, None, DEFAULT_DEADLINE).await
    }

    /// The backend `id` (or the server's own, `None`) over `channel`, each
    /// call bounded by `deadline`.
    pub async fn attach(
        channel: Channel,
        id: Option<&str>,
        deadline: Duration,
    ) -> DriverResult<Self> {
        Self::attach_pool(vec![channel], id, deadline).await
    }

    /// The server's own backend over `channels` (connections to one server,
    /// taken in turn; see [`connect_pool`](crate::endpoint::connect_pool)).
    pub async fn connect_pool(channels: Vec<Channel>) -> DriverResult<Self> {
        Self::attach_pool(channels, None, DEFAULT_DEADLINE).await
    }

    /// The backend `id` (or the server's own, `None`) over `channels`,
    /// connections to one server taken in turn, each call bounded by
    /// `deadline`. No channel is `InvalidInput`.
    pub async fn attach_pool(
        channels: Vec<Channel>,
        id: Option<&str>,
        deadline: Duration,
    ) -> DriverResult<Self> {
        if channels.is_empty() {
            return Err(DriverError::invalid_input(
                DriverMethod::Capabilities,
                "no channel to attach over",
            ));
        }
        let backend = match id {
            Some(id) => Some(MetadataValue::try_from(id).map_err(|_| {
                DriverError::invalid_input(DriverMethod::Capabilities, "backend id is not ASCII")
            })?),
            None => None,
        };
        let clients = channels
            .into_iter()
            .map(|channel| {
                ComputeDriverClient::new(channel)
                    .max_decoding_message_size(crate::server::MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(crate::server::MAX_MESSAGE_BYTES)
            })
            .collect();
        let mut driver = Self {
            clients,
            next: AtomicUsize::new(0),
            backend,
            backend_name: String::new(),
            capabilities: Capabilities::none(),
            legacy_nwinfo: false,
            deadline,
            events: EventFeed::default(),
            release: None,
        };
        let described = driver
            .unary(
                DriverMethod::Capabilities,
                proto::DescribeRequest {},
                |mut c, r| async move { c.describe(r).await },
            )
            .await?;
        driver.backend_name = described.driver_name;
        driver.capabilities =
            driver.answer(DriverMethod::Capabilities, described.capabilities, |wire| {
                Capabilities::from_wire(wire.ok_or_else(|| Malformed::missing("capabilities"))?)
            })?;
        driver.legacy_nwinfo = described.legacy_nwinfo;
        Ok(driver)
    }

    /// Drops the backend on the server when this driver is dropped.
    fn releasing(mut self, factory: BackendFactoryClient<Channel>, id: String) -> Self {
        self.release = Some(Release { factory, id });
        self
    }

    /// The server-side backend's own name (`driver_name` there).
    pub fn backend_name(&self) -> &str {
        &self.backend_name
    }

    /// The deadline of each call.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    fn site(&self, method: DriverMethod) -> CallSite {
        CallSite {
            method,
            driver: DRIVER_NAME,
            deadline: self.deadline,
        }
    }

    /// The channel of the next call (the channels in turn).
    fn client(&self) -> ComputeDriverClient<Channel> {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        self.clients[turn].clone()
    }

    fn source(&self) -> Source {
        Source {
            client: self.client(),
            backend: self.backend.clone(),
        }
    }

    fn request<T>(&self, message: T) -> Request<T> {
        // No `grpc-timeout`: the client's own deadline drops the call,
        // which resets its stream, which drops the server's call.
        let mut request = Request::new(message);
        if let Some(backend) = &self.backend {
            request
                .metadata_mut()
                .insert(BACKEND_HEADER, backend.clone());
        }
        request
    }

    /// One unary call: the request stamped with the backend and deadline,
    /// the answer's events delivered before it returns, a status rebuilt into
    /// the `DriverError` the backend returned.
    async fn unary<Req, Resp, F, Fut>(
        &self,
        method: DriverMethod,
        message: Req,
        rpc: F,
    ) -> DriverResult<Resp>
    where
        F: FnOnce(ComputeDriverClient<Channel>, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
    {
        let call = rpc(self.client(), self.request(message));
        let answer = tokio::time::timeout(self.deadline, call)
            .await
            .map_err(|_| self.timed_out(method))?;
        match answer {
            Ok(response) => {
                self.catch_up(response.metadata()).await;
                Ok(response.into_inner())
            }
            Err(status) => {
                self.catch_up(status.metadata()).await;
                Err(self.site(method).error_from_status(&status))
            }
        }
    }

    fn timed_out(&self, method: DriverMethod) -> DriverError {
        DriverError::Timeout {
            method,
            instance: None,
            timeout: self.deadline,
        }
    }

    async fn catch_up(&self, metadata: &tonic::metadata::MetadataMap) {
        let seq = metadata
            .get(EVENT_SEQ_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        if let Some(seq) = seq {
            self.events.caught_up(seq, self.deadline).await;
        }
    }

    /// Reads a unary call's answer with `reader`; a malformed answer is
    /// `method`'s error.
    fn answer<P, T>(
        &self,
        method: DriverMethod,
        wire: P,
        reader: impl FnOnce(P) -> Result<T, Malformed>,
    ) -> DriverResult<T> {
        reader(wire).map_err(|malformed| self.site(method).malformed_answer(&malformed))
    }
}
