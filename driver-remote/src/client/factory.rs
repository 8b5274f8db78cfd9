//! [`RemoteFactory`]: the conformance suite's factory of backends that live
//! in a server, one fresh backend per case through the `BackendFactory`
//! service (plain, read-only or pending, as the server's factory offers).

use std::sync::Arc;
use std::time::Duration;

use conformance::{Backend, BackendFactory, BackendHooks, FactoryError};
use driver_api::{DriverMethod, DriverResult, Instance};
use tokio::sync::OnceCell;
use tonic::transport::Channel;

use super::{RemoteDriver, DEFAULT_DEADLINE, DRIVER_NAME};
use crate::endpoint::{connect_pool, default_connections, ClientTls, Endpoint};
use crate::proto;
use crate::proto::backend_factory_client::BackendFactoryClient;
use crate::status::CallSite;
use crate::wire::{write_all, ToWire};

/// Makes backends in the server at an endpoint (it connects on first use,
/// inside the suite's runtime).
#[derive(Debug)]
pub struct RemoteFactory {
    endpoint: Endpoint,
    tls: Option<ClientTls>,
    deadline: Duration,
    connections: usize,
    channels: OnceCell<Vec<Channel>>,
}

impl RemoteFactory {
    /// Backends of the server at `endpoint` (TCP needs [`with_tls`](Self::with_tls)).
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            tls: None,
            deadline: DEFAULT_DEADLINE,
            connections: default_connections(),
            channels: OnceCell::new(),
        }
    }

    /// Connects over TLS.
    pub fn with_tls(mut self, tls: ClientTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Bounds every call of its drivers by `deadline`.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Its backends' drivers share `connections` connections to the server,
    /// each driver taking them in turn (default:
    /// [`default_connections`]; at least one).
    pub fn with_connections(mut self, connections: usize) -> Self {
        self.connections = connections.max(1);
        self
    }

    async fn channels(&self) -> Result<Vec<Channel>, FactoryError> {
        self.channels
            .get_or_try_init(|| connect_pool(&self.endpoint, self.tls.as_ref(), self.connections))
            .await
            .cloned()
            .map_err(|e| FactoryError::Create(e.to_string()))
    }

    async fn make(&self, kind: Kind<'_>) -> Result<Option<Backend>, FactoryError> {
        let channels = self.channels().await?;
        let first = channels
            .first()
            .cloned()
            .ok_or_else(|| FactoryError::Create(format!("{}: no connection", self.endpoint)))?;
        let mut factory = BackendFactoryClient::new(first);
        let request = proto::CreateBackendRequest {
            read_only: matches!(kind, Kind::ReadOnly(_)),
            seed: match kind {
                Kind::ReadOnly(seed) => write_all(seed),
                Kind::Plain | Kind::Pending => Vec::new(),
            },
            pending: matches!(kind, Kind::Pending),
        };
        let created = factory
            .create_backend(request)
            .await
            .map_err(|s| FactoryError::Create(format!("{}: {}", self.endpoint, s.message())))?
            .into_inner();
        let Some(id) = created.backend_id else {
            return Ok(None);
        };
        let driver = RemoteDriver::attach_pool(channels, Some(&id), self.deadline)
            .await
            .map_err(|e| FactoryError::Create(e.to_string()))?
            .releasing(factory.clone(), id.clone());
        if matches!(kind, Kind::Pending) && !created.pending {
            // A server that does not know the field made a plain backend:
            // dropping the driver releases it.
            return Ok(None);
        }
        let mut backend = Backend::new(Arc::new(driver));
        if created.has_crash_hook {
            backend = backend.with_hooks(Arc::new(RemoteHooks {
                factory,
                id,
                deadline: self.deadline,
            }));
        }
        Ok(Some(backend))
    }
}

#[conformance::async_trait]
impl BackendFactory for RemoteFactory {
    fn name(&self) -> String {
        format!("remote ({})", self.endpoint)
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        self.make(Kind::Plain)
            .await?
            .ok_or_else(|| FactoryError::Create("the server made no backend".into()))
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        self.make(Kind::ReadOnly(seed)).await
    }

    /// The server's pending backend (`CreateBackendRequest.pending`), if its
    /// factory offers one.
    async fn create_pending(&self) -> Result<Option<Backend>, FactoryError> {
        self.make(Kind::Pending).await
    }
}

/// Which backend to ask the server for.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// A fresh writable backend.
    Plain,
    /// A read-only backend holding these instances.
    ReadOnly(&'a [Instance]),
    /// A backend whose mutating calls stay pending at their first poll.
    Pending,
}

/// The crash hook of a backend in a server.
#[derive(Debug)]
pub struct RemoteHooks {
    factory: BackendFactoryClient<Channel>,
    id: String,
    deadline: Duration,
}

#[conformance::async_trait]
impl BackendHooks for RemoteHooks {
    async fn crash(&self, instance: &Instance) -> DriverResult<()> {
        let site = CallSite {
            // The crash hook is no method; its errors name the closest one.
            method: DriverMethod::TriggerCrashDump,
            driver: DRIVER_NAME,
            deadline: self.deadline,
        };
        let mut factory = self.factory.clone();
        let request = tonic::Request::new(proto::CrashRequest {
            backend_id: self.id.clone(),
            instance: Some(instance.to_wire()),
        });
        match tokio::time::timeout(self.deadline, factory.crash(request)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(status)) => Err(site.error_from_status(&status)),
            Err(_) => Err(driver_api::DriverError::Timeout {
                method: DriverMethod::TriggerCrashDump,
                instance: Some(instance.uuid),
                timeout: self.deadline,
            }),
        }
    }
}
