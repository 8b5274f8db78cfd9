//! The streamed calls of [`RemoteDriver`]: snapshot's task-state updates and
//! live migration's post or recover callback run here, on the client, as
//! the server streams them, before the call returns.

use std::sync::Arc;

use driver_api::{
    DriverError, DriverMethod as M, DriverResult, Instance, LiveMigrateData,
    LiveMigrationCallbacks, MigrationStatus, TaskState, TaskStateCallback,
};

use super::RemoteDriver;
use crate::proto;
use crate::proto::live_migration_progress::Step as MigrationStep;
use crate::proto::snapshot_progress::Step as SnapshotStep;
use crate::wire::{read, FromWire, Malformed};

impl RemoteDriver {
    pub(super) fn broken_stream(&self, method: M, why: &str) -> DriverError {
        DriverError::Unavailable {
            driver: super::DRIVER_NAME,
            method,
            message: why.to_owned(),
        }
    }

    pub(super) async fn run_snapshot(
        &self,
        request: proto::SnapshotRequest,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        let site = self.site(M::Snapshot);
        let mut client = self.client();
        let mut stream = client
            .snapshot(self.request(request))
            .await
            .map_err(|s| site.error_from_status(&s))?
            .into_inner();
        loop {
            let step = match stream.message().await {
                Ok(Some(progress)) => progress.step,
                Ok(None) => return Err(self.broken_stream(M::Snapshot, "stream ended early")),
                Err(status) => return Err(site.error_from_status(&status)),
            };
            match step {
                Some(SnapshotStep::Update(update)) => {
                    let states = TaskState::from_wire(update.task_state)
                        .and_then(|t| Ok((t, TaskState::from_wire(update.expected_task_state)?)));
                    let (task_state, expected) = states.map_err(|m| site.malformed_answer(&m))?;
                    update_task_state(task_state, expected);
                }
                Some(SnapshotStep::Done(done)) => {
                    self.events.caught_up(done.event_seq, self.deadline).await;
                    return Ok(());
                }
                None => return Err(site.malformed_answer(&Malformed::missing("snapshot step"))),
            }
        }
    }

    pub(super) async fn run_live_migration(
        &self,
        request: proto::LiveMigrationRequest,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
    ) -> DriverResult<()> {
        let site = self.site(M::LiveMigration);
        let mut client = self.client();
        let mut stream = client
            .live_migration(self.request(request))
            .await
            .map_err(|s| site.error_from_status(&s))?
            .into_inner();
        loop {
            let step = match stream.message().await {
                Ok(Some(progress)) => progress.step,
                Ok(None) => return Err(self.broken_stream(M::LiveMigration, "stream ended early")),
                Err(status) => return Err(site.error_from_status(&status)),
            };
            match step {
                Some(MigrationStep::Post(post)) => {
                    let instance: Instance = read("post.instance", post.instance)
                        .map_err(|m| site.malformed_answer(&m))?;
                    let data: LiveMigrateData = read("post.migrate_data", post.migrate_data)
                        .map_err(|m| site.malformed_answer(&m))?;
                    callbacks.post(&instance, &post.dest, &data).await;
                }
                Some(MigrationStep::Recover(recover)) => {
                    let read_all = || -> Result<_, Malformed> {
                        let instance: Instance =
                            read("recover.instance", recover.instance.clone())?;
                        let data: LiveMigrateData =
                            read("recover.migrate_data", recover.migrate_data.clone())?;
                        let status = MigrationStatus::from_wire(recover.status)?;
                        Ok((instance, data, status))
                    };
                    let (instance, data, status) =
                        read_all().map_err(|m| site.malformed_answer(&m))?;
                    callbacks
                        .recover(&instance, &recover.dest, &data, status)
                        .await;
                }
                Some(MigrationStep::Done(done)) => {
                    self.events.caught_up(done.event_seq, self.deadline).await;
                    return Ok(());
                }
                None => return Err(site.malformed_answer(&Malformed::missing("migration step"))),
            }
        }
    }

    /// A streamed call, bounded by the deadline like a unary one.
    pub(super) async fn bounded(
        &self,
        method: M,
        call: impl std::future::Future<Output = DriverResult<()>>,
    ) -> DriverResult<()> {
        tokio::time::timeout(self.deadline, call)
            .await
            .map_err(|_| self.timed_out(method))?
    }
}
