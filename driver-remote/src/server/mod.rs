//! The server: any [`BackendFactory`]'s backends behind the `compute.v1`
//! services.
//!
//! The factory's first backend answers calls that name no backend; the
//! `BackendFactory` service makes more, each isolated, named by the id a
//! client then sends as the `compute-backend` metadata. A call's future is
//! the backend's future: a client that goes away mid-call drops it, which the
//! contract's cancellation rule makes leave no partial state.

mod driver_service;
mod events;
mod factory_service;
mod streams;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use conformance::{Backend, BackendFactory, BackendHooks, FactoryError};
use driver_api::ComputeDriver;
use tonic::service::Routes;
use tonic::Status;

pub use driver_service::DriverService;
pub use events::{EventLog, KEPT_EVENTS};
pub use factory_service::FactoryService;

use crate::proto::backend_factory_server::BackendFactoryServer;
use crate::proto::compute_driver_server::ComputeDriverServer;
use crate::BACKEND_HEADER;

/// The most backends one server holds at once (the default one included).
pub const MAX_BACKENDS: usize = 4096;

/// Largest message accepted, either way (64 MiB).
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// One backend as the server holds it.
pub struct Served {
    /// The driver.
    pub driver: Arc<dyn ComputeDriver>,
    /// Its test hooks, if any.
    pub hooks: Option<Arc<dyn BackendHooks>>,
    /// Its events.
    pub events: Arc<EventLog>,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("driver", &self.driver.driver_name())
            .field("hooks", &self.hooks.is_some())
            .finish()
    }
}

impl Served {
    /// Takes `backend` in: its events go to a fresh log from now on.
    pub fn new(backend: Backend) -> Self {
        let events = Arc::new(EventLog::default());
        backend
            .driver
            .register_event_listener(Some(EventLog::listener(&events)));
        Self {
            driver: backend.driver,
            hooks: backend.hooks,
            events,
        }
    }
}

/// The backends of one server, by id (`""`: the default one).
pub struct Registry {
    factory: Arc<dyn BackendFactory>,
    backends: RwLock<HashMap<String, Arc<Served>>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("factory", &self.factory.name())
            .field("backends", &self.len())
            .finish()
    }
}

impl Registry {
    /// A registry whose default backend is the factory's first.
    pub async fn new(factory: Arc<dyn BackendFactory>) -> Result<Arc<Self>, FactoryError> {
        let default = Served::new(factory.create().await?);
        let backends = HashMap::from([(String::new(), Arc::new(default))]);
        Ok(Arc::new(Self {
            factory,
            backends: RwLock::new(backends),
        }))
    }

    /// The factory.
    pub fn factory(&self) -> &Arc<dyn BackendFactory> {
        &self.factory
    }

    /// How many backends are held.
    pub fn len(&self) -> usize {
        self.backends
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether none is (never: the default one stays).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The backend with `id`.
    pub fn get(&self, id: &str) -> Result<Arc<Served>, Status> {
        self.backends
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
            .ok_or_else(|| Status::not_found(format!("no backend {id:?} on this server")))
    }

    /// The backend a request names in its metadata (none: the default one).
    pub fn of_request<T>(&self, request: &tonic::Request<T>) -> Result<Arc<Served>, Status> {
        let id = match request.metadata().get(BACKEND_HEADER) {
            Some(value) => value
                .to_str()
                .map_err(|_| Status::invalid_argument("backend id is not ASCII"))?,
            None => "",
        };
        self.get(id)
    }

    /// Holds `served` under a new id.
    pub fn insert(&self, served: Served) -> Result<String, Status> {
        let mut backends = self
            .backends
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if backends.len() >= MAX_BACKENDS {
            return Err(Status::resource_exhausted(format!(
                "this server holds {MAX_BACKENDS} backends: drop some first"
            )));
        }
        let id = driver_api::uuid::Uuid::new_v4().to_string();
        backends.insert(id.clone(), Arc::new(served));
        Ok(id)
    }

    /// Forgets the backend `id` (the default one stays).
    pub fn remove(&self, id: &str) {
        if !id.is_empty() {
            self.backends
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(id);
        }
    }
}

/// Both services over one registry, ready for a tonic server.
pub fn routes(registry: Arc<Registry>) -> Routes {
    let driver = ComputeDriverServer::new(DriverService::new(registry.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let factory = BackendFactoryServer::new(FactoryService::new(registry))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    Routes::new(driver).add_service(factory)
}
