//! Every callback the fake runs (a fault's error factory, the event listener,
//! the snapshot task-state callback, the live-migration callbacks) runs with
//! no internal lock held: each test's callback calls back into the driver,
//! which would deadlock under a lock.

mod common;

use std::sync::{Arc, Mutex, OnceLock, Weak};

use async_trait::async_trait;
use common::{ctx, instance, rt, spawn};
use driver_api::{
    ComputeDriver, DriverError, DriverMethod, ErrorKind, Instance, LiveMigrateData,
    LiveMigrationCallbacks, MigrationStatus, TaskState,
};
use driver_fake::{FakeDriver, Fault, FaultLayer};

#[test]
fn a_fault_factory_may_read_and_change_the_fault_plan_and_the_store() {
    rt().block_on(async {
        let driver = Arc::new(FakeDriver::new().with_faults());
        let vm = instance("vm");
        spawn(&*driver, &vm).await.unwrap();
        let seen: Arc<Mutex<Option<(usize, bool)>>> = Arc::default();
        let weak: Weak<FaultLayer<FakeDriver>> = Arc::downgrade(&driver);
        let record = seen.clone();
        driver
            .faults()
            .inject(Fault::on(DriverMethod::Pause).error_with(move |site| {
                if let Some(driver) = weak.upgrade() {
                    let pending = driver.faults().pending();
                    driver
                        .faults()
                        .inject(Fault::on(DriverMethod::Unpause).error(ErrorKind::Timeout));
                    let present = site
                        .instance
                        .and_then(|u| driver.get_ref().instance(u))
                        .is_some();
                    *record.lock().unwrap() = Some((pending, present));
                }
                DriverError::invalid_input(DriverMethod::Pause, "injected by a factory")
            }));
        let error = driver.pause(&vm).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(*seen.lock().unwrap(), Some((0, true)));
        assert_eq!(driver.faults().pending(), 1);
        let error = driver.unpause(&vm).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
    });
}

#[test]
fn the_listener_may_inspect_and_reconfigure_the_driver() {
    rt().block_on(async {
        let driver = Arc::new(FakeDriver::new().with_faults());
        let weak = Arc::downgrade(&driver);
        let seen: Arc<Mutex<Vec<(usize, usize)>>> = Arc::default();
        let record = seen.clone();
        driver.register_event_listener(Some(Arc::new(move |event| {
            if let Some(driver) = weak.upgrade() {
                let listed = driver.get_ref().instances().len();
                let present = usize::from(driver.get_ref().instance(event.instance_uuid).is_some());
                driver.faults().clear();
                record.lock().unwrap().push((listed, present));
            }
        })));
        let vm = instance("vm");
        spawn(&*driver, &vm).await.unwrap();
        driver.pause(&vm).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), [(1, 1), (1, 1)]);
    });
}

#[test]
fn the_snapshot_callback_may_inspect_the_driver() {
    rt().block_on(async {
        let driver = Arc::new(FakeDriver::new().with_faults());
        let vm = instance("vm");
        spawn(&*driver, &vm).await.unwrap();
        let weak = Arc::downgrade(&driver);
        let uuid = vm.uuid;
        let seen: Arc<Mutex<Vec<bool>>> = Arc::default();
        let record = seen.clone();
        let callback = Arc::new(move |_: TaskState, _: TaskState| {
            if let Some(driver) = weak.upgrade() {
                let present = driver.get_ref().instance(uuid).is_some();
                let _ = driver.faults().pending();
                record.lock().unwrap().push(present);
            }
        });
        driver
            .snapshot(&ctx(), &vm, "image-1", callback)
            .await
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), [true, true]);
    });
}

/// Callbacks that call the source driver back, recording what it answered.
#[derive(Debug, Default)]
struct Asking {
    source: OnceLock<Arc<FaultLayer<FakeDriver>>>,
    answers: Mutex<Vec<String>>,
}

impl Asking {
    async fn ask(&self, instance: &Instance, what: &str) {
        if let Some(source) = self.source.get() {
            let answer = match source.get_info(instance).await {
                Ok(info) => format!("{what}: {:?}", info.state),
                Err(error) => format!("{what}: {:?}", error.kind()),
            };
            self.answers.lock().unwrap().push(answer);
        }
    }
}

#[async_trait]
impl LiveMigrationCallbacks for Asking {
    async fn post(&self, instance: &Instance, _: &str, _: &LiveMigrateData) {
        self.ask(instance, "post").await;
    }

    async fn recover(&self, instance: &Instance, _: &str, _: &LiveMigrateData, _: MigrationStatus) {
        self.ask(instance, "recover").await;
    }
}

#[test]
fn live_migration_callbacks_may_call_the_source() {
    rt().block_on(async {
        let source = Arc::new(FakeDriver::builder().host("src").build().with_faults());
        let data = LiveMigrateData::new("dst");
        for fail in [false, true] {
            let vm = instance(if fail { "failing" } else { "leaving" });
            spawn(&*source, &vm).await.unwrap();
            if fail {
                source
                    .faults()
                    .inject(Fault::on(DriverMethod::LiveMigration));
            }
            let callbacks = Arc::new(Asking::default());
            let _ = callbacks.source.set(source.clone());
            let _ = source
                .live_migration(&ctx(), &vm, "dst", callbacks.clone(), false, &data)
                .await;
            let expected = if fail {
                "recover: Running"
            } else {
                "post: InstanceNotFound"
            };
            assert_eq!(*callbacks.answers.lock().unwrap(), [expected]);
        }
    });
}
