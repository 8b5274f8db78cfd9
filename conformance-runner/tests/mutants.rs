//! The suite has teeth: a catalogue of deliberately broken backends, each the
//! fake behind a wrapper that breaks one rule, must each fail at least one
//! case, while the fake itself passes every case.

#[path = "mutants/layer.rs"]
mod layer;

use std::fmt;
use std::sync::{Arc, Mutex};

use conformance::{Backend, BackendFactory, FactoryError, RunOptions};
use conformance_runner::{FakeFactory, FakeHooks};
use driver_api::{
    BlockDeviceInfo, Capabilities, DriverResult, ErrorKind, EventListener, Feature, ImageMeta,
    Instance, LifecycleEvent, LifecycleTransition, PowerState, RequestContext, ResourceAmounts,
};
use driver_fake::FakeDriver;
use uuid::Uuid;

/// The one rule a mutant breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// `pause` answers Ok and leaves the instance running.
    PauseKeepsRunning,
    /// `unpause` of a shut-down instance powers it on instead of refusing.
    UnpauseFromShutdown,
    /// `suspend` of a shut-down instance answers Ok.
    SuspendFromShutdownOk,
    /// A soft `reboot` of a shut-down instance powers it on.
    RebootSoftFromShutdown,
    /// `get_info` forgets the rescued flag.
    RescueFlagLost,
    /// `destroy` removes the instance but its claim stays in `*_used`.
    DestroyKeepsClaim,
    /// `destroy` of an unknown instance is `InstanceNotFound`.
    DestroyUnknownErrors,
    /// The listings omit shut-down instances.
    ListOmitsShutdown,
    /// `get_info` of an unknown instance answers a state.
    GetInfoUnknownReturnsState,
    /// `spawn` with `power_on = false` starts the instance anyway.
    SpawnOffRunning,
    /// A spawn refused for resources leaves a half-built instance behind.
    SpawnHalfBuilt,
    /// `InsufficientResources` is never raised (the spawn pretends to succeed).
    NoInsufficientResources,
    /// `Paused` events are lost.
    EventLost,
    /// `Stopped` events are delivered twice.
    EventDuplicated,
    /// Events are delivered in swapped pairs.
    EventsReordered,
    /// Registering a listener does not replace the first one.
    ListenerNotReplaced,
    /// `emit_event` calls the listener unprotected: its panic escapes.
    ListenerPanicEscapes,
    /// `get_vnc_console` answers NotSupported though declared.
    NotSupportedDeclared,
    /// `get_spice_console` answers Ok though undeclared.
    OkUndeclared,
    /// The read-only backend lets `pause` through.
    ReadOnlyLetsWriteThrough,
    /// `confirm_migration` leaves the source copy: the instance is on both hosts.
    MigrationDuplicates,
    /// `post_live_migration_at_destination` creates nothing: the instance is lost.
    MigrationLoses,
    /// The backend's `Debug` shows the last admin password.
    SecretInDebug,
    /// `attach_volume` at a busy mountpoint answers Ok.
    AttachBusyOk,
    /// `detach_interface` of a VIF not attached answers Ok.
    DetachUnknownInterfaceOk,
    /// `get_vnc_console` of a stopped instance answers a console.
    ConsoleWhenStopped,
    /// `snapshot` never calls the task-state callback.
    SnapshotSkipsCallbacks,
    /// `init_host` ignores the host name (the node list stays the default).
    InitHostIgnored,
    /// `get_available_resource` of an unmanaged node answers the first node's.
    UnknownNodeAnswers,
    /// `soft_delete` releases the claim (it must stay until destroy).
    SoftDeleteReleasesClaim,
    /// `power_on` of a soft-deleted instance restores it (a side door).
    PowerOnSideDoor,
    /// `restore` emits no `Started`.
    RestoreSilent,
    /// A hard reboot of a paused instance leaves it paused.
    HardRebootKeepsPaused,
    /// `get_num_instances` counts one too many.
    NumInstancesOffByOne,
    /// `instance_exists` always answers true.
    InstanceExistsAlways,
    /// `get_diagnostics` always reports `Running`.
    DiagnosticsStaleState,
    /// `live_migration` calls `recover` after `post`.
    LiveMigrationBothCallbacks,
    /// `attach_volume` to an unknown instance answers Ok.
    AttachUnknownInstanceOk,
}

impl Mutation {
    const ALL: &'static [Mutation] = &[
        Self::PauseKeepsRunning,
        Self::UnpauseFromShutdown,
        Self::SuspendFromShutdownOk,
        Self::RebootSoftFromShutdown,
        Self::RescueFlagLost,
        Self::DestroyKeepsClaim,
        Self::DestroyUnknownErrors,
        Self::ListOmitsShutdown,
        Self::GetInfoUnknownReturnsState,
        Self::SpawnOffRunning,
        Self::SpawnHalfBuilt,
        Self::NoInsufficientResources,
        Self::EventLost,
        Self::EventDuplicated,
        Self::EventsReordered,
        Self::ListenerNotReplaced,
        Self::ListenerPanicEscapes,
        Self::NotSupportedDeclared,
        Self::OkUndeclared,
        Self::ReadOnlyLetsWriteThrough,
        Self::MigrationDuplicates,
        Self::MigrationLoses,
        Self::SecretInDebug,
        Self::AttachBusyOk,
        Self::DetachUnknownInterfaceOk,
        Self::ConsoleWhenStopped,
        Self::SnapshotSkipsCallbacks,
        Self::InitHostIgnored,
        Self::UnknownNodeAnswers,
        Self::SoftDeleteReleasesClaim,
        Self::PowerOnSideDoor,
        Self::RestoreSilent,
        Self::HardRebootKeepsPaused,
        Self::NumInstancesOffByOne,
        Self::InstanceExistsAlways,
        Self::DiagnosticsStaleState,
        Self::LiveMigrationBothCallbacks,
        Self::AttachUnknownInstanceOk,
    ];

    /// The case written to catch this mutant (others may catch it too).
    fn caught_by(self) -> &'static str {
        match self {
            Self::PauseKeepsRunning => "nova::pause",
            Self::UnpauseFromShutdown => "transition::unpause_from_shutdown",
            Self::SuspendFromShutdownOk => "transition::suspend_from_shutdown",
            Self::RebootSoftFromShutdown => "transition::reboot_soft_from_shutdown",
            Self::RescueFlagLost => "nova::rescue",
            Self::DestroyKeepsClaim => "resources::destroy_releases_claim",
            Self::DestroyUnknownErrors => "nova::destroy_instance_nonexistent",
            Self::ListOmitsShutdown => "identity::spawn_powered_off",
            Self::GetInfoUnknownReturnsState => "nova::get_info_for_unknown_instance",
            Self::SpawnOffRunning => "identity::spawn_powered_off",
            Self::SpawnHalfBuilt => "identity::failed_spawn_leaves_nothing",
            Self::NoInsufficientResources => "resources::insufficient_memory",
            Self::EventLost => "transition::pause_from_running",
            Self::EventDuplicated => "events::destroy_running_emits_stopped",
            Self::EventsReordered => "events::order_follows_changes",
            Self::ListenerNotReplaced => "events::listener_replaced",
            Self::ListenerPanicEscapes => "nova::event_bad_callback",
            Self::NotSupportedDeclared => "capability::declared_never_not_supported",
            Self::OkUndeclared => "capability::undeclared_spice_console",
            Self::ReadOnlyLetsWriteThrough => "read_only::mutations_refused",
            Self::MigrationDuplicates => "migration::cold_confirm_moves_instance",
            Self::MigrationLoses => "nova::live_migration",
            Self::SecretInDebug => "secrets::never_printed",
            Self::AttachBusyOk => "volumes::mountpoint_busy",
            Self::DetachUnknownInterfaceOk => "interfaces::attach_detach",
            Self::ConsoleWhenStopped => "consoles::vnc_needs_running_guest",
            Self::SnapshotSkipsCallbacks => "nova::snapshot_running",
            Self::InitHostIgnored => "nova::init_host",
            Self::UnknownNodeAnswers => "resources::unknown_node",
            Self::SoftDeleteReleasesClaim => "resources::soft_delete_keeps_claim",
            Self::PowerOnSideDoor => "transition::power_on_from_soft_deleted",
            Self::RestoreSilent => "transition::restore_from_soft_deleted",
            Self::HardRebootKeepsPaused => "transition::reboot_hard_from_paused",
            Self::NumInstancesOffByOne => "nova::spawn",
            Self::InstanceExistsAlways => "identity::instance_exists_tracks_lifetime",
            Self::DiagnosticsStaleState => "nova::get_instance_diagnostics",
            Self::LiveMigrationBothCallbacks => "nova::live_migration",
            Self::AttachUnknownInstanceOk => "volumes::attach_unknown_instance",
        }
    }
}

/// A fake behind a wrapper that breaks (at most) one rule.
pub struct Mutant {
    inner: Arc<FakeDriver>,
    mutation: Option<Mutation>,
    listener: Mutex<Option<EventListener>>,
    kept: Mutex<ResourceAmounts>,
    released: Mutex<ResourceAmounts>,
    suppress_started: Arc<Mutex<bool>>,
    password: Mutex<Option<String>>,
}

impl fmt::Debug for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Mutant");
        s.field("inner", &self.inner)
            .field("mutation", &self.mutation);
        if self.is(Mutation::SecretInDebug) {
            s.field("last_admin_password", &*self.password.lock().unwrap());
        }
        s.finish()
    }
}

impl Mutant {
    fn new(inner: Arc<FakeDriver>, mutation: Option<Mutation>) -> Self {
        Self {
            inner,
            mutation,
            listener: Mutex::new(None),
            kept: Mutex::new(ResourceAmounts::default()),
            released: Mutex::new(ResourceAmounts::default()),
            suppress_started: Arc::new(Mutex::new(false)),
            password: Mutex::new(None),
        }
    }

    fn is(&self, mutation: Mutation) -> bool {
        self.mutation == Some(mutation)
    }

    fn invalid_state<T>(result: &DriverResult<T>) -> bool {
        matches!(result, Err(e) if e.kind() == ErrorKind::InvalidState)
    }

    fn wrap_listener(&self, listener: EventListener) -> EventListener {
        match self.mutation {
            Some(Mutation::EventLost) => Arc::new(move |e: LifecycleEvent| {
                if e.transition != LifecycleTransition::Paused {
                    listener(e);
                }
            }),
            Some(Mutation::EventDuplicated) => Arc::new(move |e: LifecycleEvent| {
                listener(e);
                if e.transition == LifecycleTransition::Stopped {
                    listener(e);
                }
            }),
            Some(Mutation::EventsReordered) => {
                let held = Mutex::new(None::<LifecycleEvent>);
                Arc::new(move |e: LifecycleEvent| {
                    let previous = held.lock().unwrap().take();
                    match previous {
                        None => *held.lock().unwrap() = Some(e),
                        Some(first) => {
                            listener(e);
                            listener(first);
                        }
                    }
                })
            }
            Some(Mutation::RestoreSilent) => {
                let suppress = self.suppress_started.clone();
                Arc::new(move |e: LifecycleEvent| {
                    if !(*suppress.lock().unwrap() && e.transition == LifecycleTransition::Started)
                    {
                        listener(e);
                    }
                })
            }
            _ => listener,
        }
    }

    fn suppress_next_started(&self, on: bool) {
        *self.suppress_started.lock().unwrap() = on;
    }

    fn released(&self) -> ResourceAmounts {
        *self.released.lock().unwrap()
    }

    fn release(&self, claim: ResourceAmounts) {
        let mut released = self.released.lock().unwrap();
        *released = released.saturating_add(&claim);
    }

    fn has_listener(&self) -> bool {
        self.listener.lock().unwrap().is_some()
    }

    fn remember_listener(&self, listener: Option<EventListener>) {
        *self.listener.lock().unwrap() = listener;
    }

    fn listener(&self) -> Option<EventListener> {
        self.listener.lock().unwrap().clone()
    }

    fn kept(&self) -> ResourceAmounts {
        *self.kept.lock().unwrap()
    }

    fn keep(&self, claim: ResourceAmounts) {
        let mut kept = self.kept.lock().unwrap();
        *kept = kept.saturating_add(&claim);
    }

    fn remember_password(&self, password: &str) {
        *self.password.lock().unwrap() = Some(password.to_owned());
    }

    fn shut_down(&self) -> Vec<(Uuid, String)> {
        self.inner
            .instances()
            .into_iter()
            .filter(|i| i.status.state == PowerState::Shutdown)
            .map(|i| (i.uuid, i.name))
            .collect()
    }
}

/// Fresh mutants of one kind.
struct MutantFactory(Mutation);

impl MutantFactory {
    fn capabilities(&self) -> Capabilities {
        match self.0 {
            Mutation::OkUndeclared => Capabilities::all().without(Feature::SpiceConsole),
            _ => Capabilities::all(),
        }
    }
}

#[conformance::async_trait]
impl BackendFactory for MutantFactory {
    fn name(&self) -> String {
        format!("mutant {:?}", self.0)
    }

    async fn create(&self) -> Result<Backend, FactoryError> {
        let fake = Arc::new(
            FakeDriver::builder()
                .capabilities(self.capabilities())
                .build(),
        );
        let mutation = (self.0 != Mutation::ReadOnlyLetsWriteThrough).then_some(self.0);
        let mutant = Mutant::new(fake.clone(), mutation);
        Ok(Backend::new(Arc::new(mutant)).with_hooks(Arc::new(FakeHooks(fake))))
    }

    async fn create_read_only(&self, seed: &[Instance]) -> Result<Option<Backend>, FactoryError> {
        use driver_api::ComputeDriver;
        let seeder = FakeDriver::builder()
            .capabilities(self.capabilities())
            .build();
        let fail = |e: &dyn fmt::Display| FactoryError::Create(e.to_string());
        seeder
            .init_host(conformance::fixtures::HOST_A)
            .await
            .map_err(|e| fail(&e))?;
        for instance in seed {
            let (ctx, image, bdi) = (
                RequestContext::admin(),
                ImageMeta::default(),
                BlockDeviceInfo::default(),
            );
            seeder
                .spawn(&ctx, instance, &image, &[], None, &[], &bdi, true)
                .await
                .map_err(|e| fail(&e))?;
        }
        let read_only = FakeDriver::builder()
            .capabilities(self.capabilities())
            .read_only(true)
            .build_with_state(seeder.export_state())
            .map_err(|e| fail(&e))?;
        let mutation = (self.0 == Mutation::ReadOnlyLetsWriteThrough).then_some(self.0);
        Ok(Some(Backend::new(Arc::new(Mutant::new(
            Arc::new(read_only),
            mutation,
        )))))
    }
}

fn failures_of(factory: Arc<dyn BackendFactory>) -> Vec<String> {
    let report = conformance::run(factory, &RunOptions::default(), |_| {}).unwrap();
    report.failures().map(|c| c.id.clone()).collect()
}

#[test]
fn the_fake_passes_every_case() {
    let report =
        conformance::run(Arc::new(FakeFactory::new()), &RunOptions::default(), |_| {}).unwrap();
    let failures: Vec<String> = report
        .failures()
        .map(|c| format!("{}: {}", c.id, c.verdict))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(report.summary.passed > 200, "{:?}", report.summary);
}

#[test]
fn an_unmutated_wrapper_passes_every_case() {
    struct Plain;
    #[conformance::async_trait]
    impl BackendFactory for Plain {
        fn name(&self) -> String {
            "plain wrapper".into()
        }
        async fn create(&self) -> Result<Backend, FactoryError> {
            let fake = Arc::new(FakeDriver::new());
            Ok(Backend::new(Arc::new(Mutant::new(fake.clone(), None)))
                .with_hooks(Arc::new(FakeHooks(fake))))
        }
    }
    let failures = failures_of(Arc::new(Plain));
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn every_mutant_fails_at_least_one_case() {
    assert!(Mutation::ALL.len() >= 20);
    let mut survivors = Vec::new();
    let mut missed = Vec::new();
    for mutation in Mutation::ALL {
        let failures = failures_of(Arc::new(MutantFactory(*mutation)));
        println!(
            "{mutation:?}: {} failing cases: {failures:?}",
            failures.len()
        );
        if failures.is_empty() {
            survivors.push(*mutation);
        } else if !failures.iter().any(|id| id == mutation.caught_by()) {
            missed.push((*mutation, mutation.caught_by()));
        }
    }
    assert!(
        survivors.is_empty(),
        "mutants the suite did not catch: {survivors:?}"
    );
    assert!(
        missed.is_empty(),
        "mutants their own case did not catch: {missed:?}"
    );
}
