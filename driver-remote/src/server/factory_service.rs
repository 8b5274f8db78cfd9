//! The `BackendFactory` service: fresh isolated backends on demand (plain,
//! read-only or pending, as the factory offers), and the crash hook of those
//! that have one.

use std::sync::Arc;

use driver_api::{DriverError, DriverMethod, Instance};
use tonic::{Request, Response, Status};

use super::{Registry, Served};
use crate::proto;
use crate::proto::backend_factory_server::BackendFactory as Rpc;
use crate::status::{malformed_request, to_status};
use crate::wire::{read, read_all};

/// Makes and forgets the backends of a [`Registry`].
#[derive(Debug, Clone)]
pub struct FactoryService {
    registry: Arc<Registry>,
}

impl FactoryService {
    /// The service over `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self { registry }
    }
}

#[tonic::async_trait]
impl Rpc for FactoryService {
    async fn describe_factory(
        &self,
        _request: Request<proto::NoArgs>,
    ) -> Result<Response<proto::FactoryDescription>, Status> {
        Ok(Response::new(proto::FactoryDescription {
            name: self.registry.factory().name(),
        }))
    }

    async fn create_backend(
        &self,
        request: Request<proto::CreateBackendRequest>,
    ) -> Result<Response<proto::CreateBackendResponse>, Status> {
        let request = request.into_inner();
        let factory = self.registry.factory();
        if request.read_only && request.pending {
            return Err(Status::invalid_argument(
                "CreateBackendRequest: read_only and pending exclude each other",
            ));
        }
        let backend = if request.read_only {
            let seed: Vec<Instance> =
                read_all(request.seed).map_err(|m| malformed_request(DriverMethod::Spawn, &m))?;
            factory.create_read_only(&seed).await
        } else if request.pending {
            factory.create_pending().await
        } else {
            factory.create().await.map(Some)
        }
        .map_err(|e| Status::unavailable(e.to_string()))?;
        let Some(backend) = backend else {
            return Ok(Response::new(proto::CreateBackendResponse {
                backend_id: None,
                has_crash_hook: false,
                pending: false,
            }));
        };
        let has_crash_hook = backend.hooks.is_some();
        let id = self.registry.insert(Served::new(backend))?;
        Ok(Response::new(proto::CreateBackendResponse {
            backend_id: Some(id),
            has_crash_hook,
            pending: request.pending,
        }))
    }

    async fn drop_backend(
        &self,
        request: Request<proto::BackendId>,
    ) -> Result<Response<proto::Ack>, Status> {
        self.registry.remove(&request.into_inner().backend_id);
        Ok(Response::new(proto::Ack {}))
    }

    async fn crash(
        &self,
        request: Request<proto::CrashRequest>,
    ) -> Result<Response<proto::Ack>, Status> {
        let request = request.into_inner();
        let served = self.registry.get(&request.backend_id)?;
        let instance: Instance = read("instance", request.instance)
            .map_err(|m| malformed_request(DriverMethod::TriggerCrashDump, &m))?;
        let Some(hooks) = &served.hooks else {
            // The crash hook is no method; as in process, the answer names
            // the closest one.
            return Err(to_status(&DriverError::not_supported(
                DriverMethod::TriggerCrashDump,
                served.driver.driver_name(),
            )));
        };
        hooks.crash(&instance).await.map_err(|e| to_status(&e))?;
        Ok(Response::new(proto::Ack {}))
    }
}
