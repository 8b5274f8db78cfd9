//! The client's side of lifecycle events: the one listener slot, and a
//! watcher task that feeds it from the server's event stream.
//!
//! Every answer carries the backend's last event number; while a listener is
//! registered, a call returns only once the watcher has delivered up to that
//! number (or its deadline passed), so events reach the listener before the
//! call that caused them returns, as in process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use driver_api::{EventListener, EventSlot, LifecycleEvent};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::metadata::MetadataValue;
use tonic::Request;

use crate::proto;
use crate::proto::compute_driver_client::ComputeDriverClient;
use crate::wire::read;
use crate::BACKEND_HEADER;

/// The first pause before the watcher reconnects; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest pause between reconnections.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Events of one remote backend, client side.
#[derive(Debug, Default)]
pub struct EventFeed {
    slot: Arc<EventSlot>,
    seen: AtomicU64,
    delivered: Arc<DeliveredSeq>,
    watcher: Mutex<Option<JoinHandle<()>>>,
}

/// The last event number the watcher delivered.
#[derive(Debug)]
struct DeliveredSeq(watch::Sender<u64>);

impl Default for DeliveredSeq {
    fn default() -> Self {
        Self(watch::channel(0).0)
    }
}

/// What the watcher needs to open the stream.
#[derive(Clone, Debug)]
pub struct Source {
    /// The service client.
    pub client: ComputeDriverClient<tonic::transport::Channel>,
    /// The backend id, if not the default backend.
    pub backend: Option<MetadataValue<tonic::metadata::Ascii>>,
}

impl EventFeed {
    /// Records the event number an answer carried.
    pub fn saw(&self, seq: u64) {
        self.seen.fetch_max(seq, Ordering::SeqCst);
    }

    /// Delivers `event` to the listener, here (`emit_event`).
    pub fn emit(&self, event: LifecycleEvent) {
        self.slot.emit(event);
    }

    /// Registers `listener`; the first one starts the watcher, `None` stops it.
    pub fn register(&self, listener: Option<EventListener>, source: &Source) {
        let start = listener.is_some();
        self.slot.register(listener);
        let mut watcher = self.watcher.lock().unwrap_or_else(PoisonError::into_inner);
        if !start {
            if let Some(task) = watcher.take() {
                task.abort();
            }
            return;
        }
        if watcher.is_some() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no Tokio runtime: remote events cannot be watched");
            return;
        };
        let from = self.seen.load(Ordering::SeqCst);
        self.delivered.0.send_replace(from);
        *watcher = Some(handle.spawn(watch_loop(
            source.clone(),
            from,
            Arc::clone(&self.delivered),
            Arc::clone(&self.slot),
        )));
    }

    /// Waits until the watcher has delivered event `seq`, for at most
    /// `deadline`; returns at once when no listener is registered.
    pub async fn caught_up(&self, seq: u64, deadline: Duration) {
        self.saw(seq);
        let watching = self
            .watcher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some();
        if !watching {
            return;
        }
        let mut delivered = self.delivered.0.subscribe();
        let reached = tokio::time::timeout(deadline, delivered.wait_for(|d| *d >= seq)).await;
        if reached.is_err() {
            tracing::warn!(seq, "remote events not delivered in time");
        }
    }
}

impl Drop for EventFeed {
    fn drop(&mut self) {
        if let Some(task) = self
            .watcher
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }
}

/// Streams the backend's events after `from` into `slot`, reconnecting with
/// a growing pause when the stream breaks, until aborted.
async fn watch_loop(source: Source, from: u64, delivered: Arc<DeliveredSeq>, slot: Arc<EventSlot>) {
    let mut last = from;
    let mut backoff = FIRST_BACKOFF;
    loop {
        let mut client = source.client.clone();
        let mut request = Request::new(proto::WatchEventsRequest { after_seq: last });
        if let Some(backend) = &source.backend {
            request
                .metadata_mut()
                .insert(BACKEND_HEADER, backend.clone());
        }
        match client.watch_events(request).await {
            Ok(response) => {
                let mut stream = response.into_inner();
                loop {
                    match stream.message().await {
                        Ok(Some(notice)) => {
                            backoff = FIRST_BACKOFF;
                            let event: Result<LifecycleEvent, _> = read("event", notice.event);
                            match event {
                                Ok(event) if notice.seq > last => {
                                    slot.emit(event);
                                }
                                Ok(_) => {}
                                Err(malformed) => {
                                    tracing::warn!(%malformed, "remote event dropped")
                                }
                            }
                            last = last.max(notice.seq);
                            delivered.0.send_replace(last);
                        }
                        Ok(None) => break,
                        Err(status) => {
                            tracing::debug!(code = ?status.code(), "remote event stream broke");
                            break;
                        }
                    }
                }
            }
            Err(status) => tracing::debug!(code = ?status.code(), "remote event stream refused"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
