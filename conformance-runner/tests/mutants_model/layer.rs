//! The model mutants as a layer over the fake (`driver_api::layer`): only the
//! methods some [`Break`] breaks are written here; every other method
//! forwards to the inner fake.

use async_trait::async_trait;
use driver_api::layer::DriverLayer;
use driver_api::*;
use driver_fake::FakeDriver;

use super::{Break, Broken};

#[async_trait]
impl DriverLayer for Broken {
    type Inner = FakeDriver;

    fn inner(&self) -> &FakeDriver {
        &self.inner
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
        if self.is(Break::NameNotFreedOnDestroy) && self.was_destroyed_name(&instance.name) {
            return Err(DriverError::InstanceExists {
                instance: InstanceRef::Uuid(instance.uuid),
            });
        }
        self.shared_spawned(instance.uuid);
        self.inner()
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
            .await
    }
    async fn destroy(
        &self,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
        destroy_disks: bool,
    ) -> DriverResult<()> {
        let known = self.inner().get_info(instance).await.is_ok();
        let result = self
            .inner()
            .destroy(instance, network_info, block_device_info, destroy_disks)
            .await;
        if known && result.is_ok() {
            self.destroyed(&instance.name);
        }
        result
    }
    async fn get_info(&self, instance: &Instance) -> DriverResult<InstanceInfo> {
        let mut info = self.inner().get_info(instance).await?;
        if self.is(Break::GetInfoFiguresStale) {
            info.max_mem_kb = self.first_memory(instance.uuid, info.max_mem_kb);
        }
        Ok(info)
    }
    async fn instance_exists(&self, instance: &Instance) -> DriverResult<bool> {
        if self.is(Break::ExistsAcrossHosts) && self.shared_knows(instance.uuid) {
            return Ok(true);
        }
        self.inner().instance_exists(instance).await
    }
    async fn set_admin_password(&self, instance: &Instance, new_pass: Secret) -> DriverResult<()> {
        if self.is(Break::PasswordWhilePaused)
            && self.state_of(instance).await == Some(PowerState::Paused)
        {
            return Ok(());
        }
        self.inner().set_admin_password(instance, new_pass).await
    }
    async fn resume_state_on_host_boot(
        &self,
        context: &RequestContext,
        instance: &Instance,
        network_info: &[Vif],
        block_device_info: &BlockDeviceInfo,
    ) -> DriverResult<()> {
        if self.is(Break::HostBootUnpauses)
            && self.state_of(instance).await == Some(PowerState::Paused)
        {
            return self.inner().unpause(instance).await;
        }
        if self.is(Break::HostBootLeavesStopped)
            && self.state_of(instance).await == Some(PowerState::Shutdown)
        {
            return Ok(());
        }
        self.inner()
            .resume_state_on_host_boot(context, instance, network_info, block_device_info)
            .await
    }
    async fn trigger_crash_dump(&self, instance: &Instance) -> DriverResult<()> {
        if self.is(Break::CrashDumpWhileSuspended)
            && self.state_of(instance).await == Some(PowerState::Suspended)
        {
            return Ok(());
        }
        self.inner().trigger_crash_dump(instance).await
    }
    async fn get_diagnostics(&self, instance_name: &str) -> DriverResult<Diagnostics> {
        let answer = self.inner().get_diagnostics(instance_name).await;
        if self.is(Break::DiagnosticsAfterDestroy)
            && answer.is_err()
            && self.was_destroyed_name(instance_name)
        {
            return Ok(Diagnostics::new(PowerState::Shutdown, "broken"));
        }
        answer
    }
    async fn get_all_bw_counters(
        &self,
        instances: &[Instance],
    ) -> DriverResult<Vec<BandwidthCounter>> {
        let mut counters = self.inner().get_all_bw_counters(instances).await?;
        if self.is(Break::CounterOutlivesInterface) {
            for (uuid, mac) in self.detached_vifs() {
                let Some(instance) = instances.iter().find(|i| i.uuid == uuid) else {
                    continue;
                };
                if self.inner().get_info(instance).await.is_ok() {
                    counters.push(BandwidthCounter::new(uuid, mac, 0, 0));
                }
            }
        }
        Ok(counters)
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
        if self.is(Break::RefusedAttachDetaches)
            && matches!(&result, Err(e) if e.kind() == ErrorKind::DeviceBusy)
        {
            let _ = self
                .inner()
                .detach_volume(connection_info, instance, mountpoint)
                .await;
        }
        result
    }
    async fn detach_interface(&self, instance: &Instance, vif: &Vif) -> DriverResult<()> {
        let result = self.inner().detach_interface(instance, vif).await;
        if result.is_ok() {
            self.vif_detached(instance.uuid, &vif.address);
        }
        result
    }
    async fn finish_migration(
        &self,
        context: &RequestContext,
        migration: &Migration,
        instance: &Instance,
        disk_info: &DiskInfo,
        network_info: &[Vif],
        image_meta: &ImageMeta,
        resize_instance: bool,
        block_device_info: &BlockDeviceInfo,
        power_on: bool,
    ) -> DriverResult<()> {
        let same_host = migration.source_compute == migration.dest_compute;
        if self.is(Break::SameHostResizeKeepsFlavor) && same_host {
            return Ok(());
        }
        let power_on = power_on || self.is(Break::FinishIgnoresPowerOff);
        self.inner()
            .finish_migration(
                context,
                migration,
                instance,
                disk_info,
                network_info,
                image_meta,
                resize_instance,
                block_device_info,
                power_on,
            )
            .await
    }
}
