//! The streaming RPCs: lifecycle events, and the calls whose callbacks the
//! client runs (snapshot's task-state updates, live migration's post or
//! recover), streamed as the backend makes them.
//!
//! A streamed call runs in its own task, aborted when the client drops the
//! stream: the backend's future is dropped as for a unary call.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use driver_api::{
    Instance, LiveMigrateData, LiveMigrationCallbacks, MigrationStatus, TaskState,
    TaskStateCallback,
};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::Status;

use super::driver_service::{context as read_context, instance as read_instance, Failure};
use super::Served;
use crate::proto;
use crate::wire::{read, ToWire};

/// Room for messages not yet taken by the client.
const STREAM_BUFFER: usize = 64;

/// A stream fed by a task that is aborted when the stream is dropped.
#[derive(Debug)]
pub struct TaskStream<T> {
    messages: ReceiverStream<Result<T, Status>>,
    task: JoinHandle<()>,
}

impl<T> Drop for TaskStream<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<T> Stream for TaskStream<T> {
    type Item = Result<T, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().messages).poll_next(cx)
    }
}

/// The events stream.
pub type EventStream = TaskStream<proto::EventNotice>;
/// The snapshot stream.
pub type SnapshotStream = TaskStream<proto::SnapshotProgress>;
/// The live-migration stream.
pub type LiveMigrationStream = TaskStream<proto::LiveMigrationProgress>;

fn notice(seq: u64, event: &driver_api::LifecycleEvent) -> proto::EventNotice {
    proto::EventNotice {
        seq,
        event: Some(event.to_wire()),
    }
}

/// Every event of `served` after `after_seq`, then every new one, until the
/// client goes away; a watcher too slow to keep up is told so (`DATA_LOSS`).
pub fn watch_events(served: &Served, after_seq: u64) -> EventStream {
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    let (backlog, mut live) = served.events.watch(after_seq);
    let task = tokio::spawn(async move {
        let mut last = after_seq;
        for (seq, event) in backlog {
            last = seq;
            if tx.send(Ok(notice(seq, &event))).await.is_err() {
                return;
            }
        }
        loop {
            match live.recv().await {
                Ok((seq, event)) if seq > last => {
                    last = seq;
                    if tx.send(Ok(notice(seq, &event))).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    let status =
                        Status::data_loss(format!("watcher too slow: {missed} events lost"));
                    let _ = tx.send(Err(status)).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    TaskStream {
        messages: ReceiverStream::new(rx),
        task,
    }
}

/// Runs `snapshot`, streaming each task-state update, then `done`.
pub fn snapshot(
    served: Arc<Served>,
    request: proto::SnapshotRequest,
) -> Result<SnapshotStream, Failure> {
    let context = read_context(request.context)?;
    let instance = read_instance(request.instance)?;
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    let updates = tx.clone();
    let callback: TaskStateCallback =
        Arc::new(move |task_state: TaskState, expected: TaskState| {
            let update = proto::TaskStateUpdate {
                task_state: task_state.to_wire(),
                expected_task_state: expected.to_wire(),
            };
            let step = proto::snapshot_progress::Step::Update(update);
            // A full buffer or a gone client: the update is lost with the call.
            let _ = updates.try_send(Ok(proto::SnapshotProgress { step: Some(step) }));
        });
    let task = tokio::spawn(async move {
        let result = served
            .driver
            .snapshot(&context, &instance, &request.image_id, callback)
            .await;
        let message = match result {
            Ok(()) => Ok(proto::SnapshotProgress {
                step: Some(proto::snapshot_progress::Step::Done(done(&served))),
            }),
            Err(error) => {
                Err(Failure::Driver(error).into_status(driver_api::DriverMethod::Snapshot))
            }
        };
        let _ = tx.send(message).await;
    });
    Ok(TaskStream {
        messages: ReceiverStream::new(rx),
        task,
    })
}

fn done(served: &Served) -> proto::StreamDone {
    proto::StreamDone {
        event_seq: served.events.last_seq(),
    }
}

/// The callbacks a backend calls during `live_migration`: each becomes a
/// message of the stream.
#[derive(Debug)]
struct StreamedCallbacks {
    tx: mpsc::Sender<Result<proto::LiveMigrationProgress, Status>>,
}

impl StreamedCallbacks {
    async fn send(&self, step: proto::live_migration_progress::Step) {
        let progress = proto::LiveMigrationProgress { step: Some(step) };
        // A gone client: the call is being dropped with it.
        let _ = self.tx.send(Ok(progress)).await;
    }
}

#[driver_api::async_trait]
impl LiveMigrationCallbacks for StreamedCallbacks {
    async fn post(&self, instance: &Instance, dest: &str, migrate_data: &LiveMigrateData) {
        let post = proto::LiveMigrationPost {
            instance: Some(instance.to_wire()),
            dest: dest.to_owned(),
            migrate_data: Some(migrate_data.to_wire()),
        };
        self.send(proto::live_migration_progress::Step::Post(post))
            .await;
    }

    async fn recover(
        &self,
        instance: &Instance,
        dest: &str,
        migrate_data: &LiveMigrateData,
        status: MigrationStatus,
    ) {
        let recover = proto::LiveMigrationRecover {
            instance: Some(instance.to_wire()),
            dest: dest.to_owned(),
            migrate_data: Some(migrate_data.to_wire()),
            status: status.to_wire(),
        };
        self.send(proto::live_migration_progress::Step::Recover(recover))
            .await;
    }
}

/// Runs `live_migration`, streaming the callback the backend calls, then
/// `done`.
pub fn live_migration(
    served: Arc<Served>,
    request: proto::LiveMigrationRequest,
) -> Result<LiveMigrationStream, Failure> {
    let context = read_context(request.context)?;
    let instance = read_instance(request.instance)?;
    let migrate_data: LiveMigrateData = read("migrate_data", request.migrate_data)?;
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    let callbacks = Arc::new(StreamedCallbacks { tx: tx.clone() });
    let task = tokio::spawn(async move {
        let result = served
            .driver
            .live_migration(
                &context,
                &instance,
                &request.dest,
                callbacks,
                request.block_migration,
                &migrate_data,
            )
            .await;
        let message = match result {
            Ok(()) => Ok(proto::LiveMigrationProgress {
                step: Some(proto::live_migration_progress::Step::Done(done(&served))),
            }),
            Err(error) => {
                Err(Failure::Driver(error).into_status(driver_api::DriverMethod::LiveMigration))
            }
        };
        let _ = tx.send(message).await;
    });
    Ok(TaskStream {
        messages: ReceiverStream::new(rx),
        task,
    })
}
