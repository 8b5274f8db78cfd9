//! The mutant as a layer over the fake (`driver_api::layer`): only the
//! methods some [`Mutation`] breaks are written here; every other method
//! forwards to the inner fake.

use std::sync::Arc;

use async_trait::async_trait;
use driver_api::layer::DriverLayer;
use driver_api::*;
use driver_fake::FakeDriver;
use uuid::Uuid;

use super::{Mutant, Mutation};

#[async_trait]
impl DriverLayer for Mutant {
    type Inner = FakeDriver;

    fn inner(&self) -> &FakeDriver {
        &self.inner
    }

    fn register_event_listener(&self, listener: Option<EventListener>) {
        let listener = listener.map(|l| self.wrap_listener(l));
        if self.is(Mutation::ListenerNotReplaced) && self.has_listener() {
            return;
        }
        self.remember_listener(listener.clone());
        self.inner().register_event_listener(listener)
    }
    fn emit_event(&self, event: LifecycleEvent) {
        if self.is(Mutation::ListenerPanicEscapes) {
            if let Some(listener) = self.listener() {
                listener(event);
                return;
            }
        }
        self.inner().emit_event(event)
    }
    async fn init_host(&self, host: &str) -> DriverResult<()> {
        if self.is(Mutation::InitHostIgnored) {
            return Ok(());
        }
        self.inner().init_host(host).await
    }
    async fn get_available_resource(&self, nodename: &str) -> DriverResult<NodeResources> {
        let mut resources = match self.inner().get_available_resource(nodename).await {
            Err(e)
                if e.kind() == ErrorKind::NodeNotFound && self.is(Mutation::UnknownNodeAnswers) =>
            {
                let first = self.inner().nodes().first().cloned().unwrap_or_default();
                self.inner().get_available_resource(&first).await?
            }
            other => other?,
        };
        if self.is(Mutation::SoftDeleteReleasesClaim) {
            let released = self.released();
            resources.vcpus_used = resources.vcpus_used.saturating_sub(released.vcpus);
            resources.memory_mb_used = resources.memory_mb_used.saturating_sub(released.memory_mb);
            resources.local_gb_used = resources.local_gb_used.saturating_sub(released.local_gb);
        }
        if self.is(Mutation::DestroyKeepsClaim) {
            let kept = self.kept();
            resources.vcpus_used += kept.vcpus;
            resources.memory_mb_used += kept.memory_mb;
            resources.local_gb_used += kept.local_gb;
        }
        Ok(resources)
    }
    async fn spawn(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_meta: &ImageMeta,
        injected_files: &[InjectedFile],
        admin_password: Option<Secret>,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        if self.is(Mutation::SecretInDebug) {
            if let Some(password) = &admin_password {
                self.remember_password(password.expose());
            }
        }
        let power_on = power_on || self.is(Mutation::SpawnOffRunning);
        let result = self
            .inner()
            .spawn(
                context,
                instance,
                image_meta,
                injected_files,
                admin_password,
                network_info,
                block_device_info,
                power_on,
            )
            .await;
        let insufficient =
            matches!(&result, Err(e) if e.kind() == ErrorKind::InsufficientResources);
        if insufficient && self.is(Mutation::NoInsufficientResources) {
            return Ok(());
        }
        if insufficient && self.is(Mutation::SpawnHalfBuilt) {
            let half = instance.clone().with_flavor(Flavor::m1_tiny());
            let _ = self
                .inner()
                .spawn(
                    context,
                    &half,
                    image_meta,
                    &[],
                    None,
                    &[],
                    block_device_info,
                    false,
                )
                .await;
        }
        result
    }
    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let existed = self
            .inner()
            .instance_exists(instance)
            .await
            .unwrap_or(false);
        if !existed && self.is(Mutation::DestroyUnknownErrors) {
            return Err(DriverError::instance_not_found(instance));
        }
        let result = self
            .inner()
            .destroy(instance, network_info, block_device_info, destroy_disks)
            .await;
        if existed && result.is_ok() && self.is(Mutation::DestroyKeepsClaim) {
            self.keep(ResourceAmounts::of_flavor(&instance.flavor));
        }
        result
    }
    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        match self.inner().get_info(instance).await {
            Err(e)
                if e.kind() == ErrorKind::InstanceNotFound
                    && self.is(Mutation::GetInfoUnknownReturnsState) =>
            {
                Ok(InstanceInfo::new(PowerState::NoState))
            }
            Ok(mut info) if self.is(Mutation::RescueFlagLost) => {
                info.rescued = false;
                Ok(info)
            }
            other => other,
        }
    }
    async fn list_instances(&self) -> DriverResult<Vec<String>> {
        let names = self.inner().list_instances().await?;
        if !self.is(Mutation::ListOmitsShutdown) {
            return Ok(names);
        }
        let off = self.shut_down();
        Ok(names
            .into_iter()
            .filter(|n| !off.iter().any(|(_, name)| name == n))
            .collect())
    }
    async fn list_instance_uuids(&self) -> DriverResult<Vec<Uuid>> {
        let uuids = self.inner().list_instance_uuids().await?;
        if !self.is(Mutation::ListOmitsShutdown) {
            return Ok(uuids);
        }
        let off = self.shut_down();
        Ok(uuids
            .into_iter()
            .filter(|u| !off.iter().any(|(uuid, _)| uuid == u))
            .collect())
    }
    async fn get_num_instances(&self) -> DriverResult<usize> {
        let count = self.inner().get_num_instances().await?;
        Ok(if self.is(Mutation::NumInstancesOffByOne) {
            count + 1
        } else {
            count
        })
    }
    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        if self.is(Mutation::InstanceExistsAlways) {
            return Ok(true);
        }
        self.inner().instance_exists(instance).await
    }
    async fn reboot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        reboot_type: RebootType,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let paused = self
            .inner()
            .get_info(instance)
            .await
            .is_ok_and(|i| i.state == PowerState::Paused);
        if paused && reboot_type == RebootType::Hard && self.is(Mutation::HardRebootKeepsPaused) {
            return Ok(());
        }
        let result = self
            .inner()
            .reboot(
                context,
                instance,
                network_info,
                reboot_type,
                block_device_info,
            )
            .await;
        if self.is(Mutation::RebootSoftFromShutdown) && Self::invalid_state(&result) {
            return self
                .inner()
                .power_on(context, instance, network_info, block_device_info)
                .await;
        }
        result
    }
    async fn power_on(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        let result = self
            .inner()
            .power_on(context, instance, network_info, block_device_info)
            .await;
        if self.is(Mutation::PowerOnSideDoor) && Self::invalid_state(&result) {
            return self.inner().restore(instance).await;
        }
        result
    }
    async fn pause(&self, instance: &Instance) -> DriverResult<()> {
        if self.is(Mutation::PauseKeepsRunning) || self.is(Mutation::ReadOnlyLetsWriteThrough) {
            return Ok(());
        }
        self.inner().pause(instance).await
    }
    async fn unpause(&self, instance: &Instance) -> DriverResult<()> {
        let result = self.inner().unpause(instance).await;
        if self.is(Mutation::UnpauseFromShutdown) && Self::invalid_state(&result) {
            let ctx = RequestContext::admin();
            return self
                .inner()
                .power_on(&ctx, instance, &[], &BlockDeviceInfo::default())
                .await;
        }
        result
    }
    async fn suspend(&self, instance: &Instance) -> DriverResult<()> {
        let result = self.inner().suspend(instance).await;
        if self.is(Mutation::SuspendFromShutdownOk) && Self::invalid_state(&result) {
            return Ok(());
        }
        result
    }
    async fn soft_delete(&self, instance: &Instance) -> DriverResult<()> {
        let was_deleted = self
            .inner()
            .get_info(instance)
            .await
            .is_ok_and(|i| i.soft_deleted);
        let result = self.inner().soft_delete(instance).await;
        if result.is_ok() && !was_deleted && self.is(Mutation::SoftDeleteReleasesClaim) {
            self.release(ResourceAmounts::of_flavor(&instance.flavor));
        }
        result
    }
    async fn restore(&self, instance: &Instance) -> DriverResult<()> {
        if self.is(Mutation::RestoreSilent) {
            self.suppress_next_started(true);
            let result = self.inner().restore(instance).await;
            self.suppress_next_started(false);
            return result;
        }
        self.inner().restore(instance).await
    }
    async fn snapshot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        image_id: &str,
        update_task_state: TaskStateCallback,
    ) -> DriverResult<()> {
        if self.is(Mutation::SnapshotSkipsCallbacks)
            && self.inner().get_info(instance).await.is_ok()
        {
            return Ok(());
        }
        self.inner()
            .snapshot(context, instance, image_id, update_task_state)
            .await
    }
    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let mut diagnostics = self.inner().get_diagnostics(instance_name).await?;
        if self.is(Mutation::DiagnosticsStaleState) {
            diagnostics.state = PowerState::Running;
        }
        Ok(diagnostics)
    }
    async fn get_vnc_console(&self, instance: &Instance) -> DriverResult<VncConsole> {
        if self.is(Mutation::NotSupportedDeclared) {
            return Err(DriverError::not_supported(
                driver_api::DriverMethod::GetVncConsole,
                "mutant",
            ));
        }
        match self.inner().get_vnc_console(instance).await {
            Err(e)
                if e.kind() == ErrorKind::InstanceNotRunning
                    && self.is(Mutation::ConsoleWhenStopped) =>
            {
                Ok(VncConsole::new("vnc.example", 5900))
            }
            other => other,
        }
    }
    async fn get_spice_console(&self, instance: &Instance) -> DriverResult<SpiceConsole> {
        if self.is(Mutation::OkUndeclared) {
            return Ok(SpiceConsole::new("spice.example", 5901, None));
        }
        self.inner().get_spice_console(instance).await
    }
    async fn attach_volume(
        &self,
        connection_info: &ConnectionInfo,
        instance: &Instance,
        mountpoint: &str,
    ) -> DriverResult<()> {
        let result = self
            .inner()
            .attach_volume(connection_info, instance, mountpoint)
            .await;
        if self.is(Mutation::AttachBusyOk)
            && matches!(&result, Err(e) if e.kind() == ErrorKind::DeviceBusy)
        {
            return Ok(());
        }
        if self.is(Mutation::AttachUnknownInstanceOk)
            && matches!(&result, Err(e) if e.kind() == ErrorKind::InstanceNotFound)
        {
            return Ok(());
        }
        result
    }
    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        let result = self.inner().detach_interface(instance, vif).await;
        if self.is(Mutation::DetachUnknownInterfaceOk)
            && matches!(&result, Err(e) if e.kind() == ErrorKind::InterfaceDetachFailed)
        {
            return Ok(());
        }
        result
    }
    async fn live_migration(
        &self,
        context: &RequestContext,
        instance: &Instance,
        dest: &str,
        callbacks: Arc<dyn LiveMigrationCallbacks>,
        block_migration: bool,
        migrate_data: &LiveMigrateData,
    ) -> DriverResult<()> {
        let result = self
            .inner()
            .live_migration(
                context,
                instance,
                dest,
                callbacks.clone(),
                block_migration,
                migrate_data,
            )
            .await;
        if self.is(Mutation::LiveMigrationBothCallbacks) {
            callbacks
                .recover(instance, dest, migrate_data, MigrationStatus::Error)
                .await;
        }
        result
    }
    async fn post_live_migration_at_destination(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_migration: bool,
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        if self.is(Mutation::MigrationLoses) {
            return Ok(());
        }
        self.inner()
            .post_live_migration_at_destination(
                context,
                instance,
                network_info,
                block_migration,
                block_device_info,
            )
            .await
    }
    async fn confirm_migration(
        &self,
        migration: &Migration,
        instance: &Instance,
        network_info: &[Vif],
    ) -> DriverResult<()> {
        if self.is(Mutation::MigrationDuplicates) {
            return Ok(());
        }
        self.inner()
            .confirm_migration(migration, instance, network_info)
            .await
    }
}
