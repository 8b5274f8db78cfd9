//! The catalogue: every case id, in one place.
//!
//! The list below feeds the registry ([`registry`]), which the runner and
//! the tests that [`suite!`](crate::suite) generates both read. An entry `name` in area `area` is the
//! case built by `cases::area::name()`; an entry `name => expr` is built by
//! `expr` (generated cases: transition cells, per-feature checks). A case
//! constructor missing from the list is dead code, which the lints reject.

use crate::case::Case;

#[doc(hidden)]
#[macro_export]
macro_rules! __with_catalogue {
    ($mode:ident $args:tt) => {
        $crate::__expand_catalogue! { $mode $args
            nova {
                init_host,
                list_instances,
                list_instance_uuids,
                spawn,
                snapshot_not_running,
                snapshot_running,
                reboot,
                rescue,
                unrescue_unrescued_instance,
                unrescue_rescued_instance,
                power_off,
                power_on_running,
                power_on_powered_off,
                soft_delete,
                restore_running,
                restore_soft_deleted,
                pause,
                unpause_unpaused_instance,
                unpause_paused_instance,
                suspend,
                resume_unsuspended_instance,
                resume_suspended_instance,
                destroy_instance_nonexistent,
                destroy_instance,
                get_info,
                get_info_for_unknown_instance,
                set_admin_password,
                resume_state_on_host_boot,
                poll_rebooting_instances,
                trigger_crash_dump,
                migrate_disk_and_power_off,
                live_migration_force_complete,
                live_migration_abort,
                get_diagnostics,
                get_instance_diagnostics,
                block_stats,
                interface_stats,
                get_instance_disk_info,
                get_console_output,
                get_vnc_console,
                get_spice_console,
                get_serial_console,
                get_console_pool_info,
                get_volume_connector,
                attach_detach_volume,
                swap_volume,
                attach_detach_different_power_states,
                inject_file,
                ensure_filtering_for_instance,
                unfilter_instance,
                refresh_security_group_rules,
                refresh_security_group_members,
                refresh_provider_fw_rules,
                get_host_ip_addr,
                get_available_resource,
                get_available_nodes,
                get_host_cpu_stats,
                get_host_uptime,
                get_host_stats,
                set_host_enabled,
                host_power_action_reboot,
                host_power_action_shutdown,
                host_power_action_startup,
                events,
                event_bad_callback,
                live_migration,
            }
            transition {
                pause_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::RUNNING),
                pause_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::PAUSED),
                pause_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::SUSPENDED),
                pause_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::SHUTDOWN),
                pause_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::CRASHED),
                pause_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::RESCUED),
                pause_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Pause, $crate::cases::transition::SOFT_DELETED),
                unpause_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::RUNNING),
                unpause_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::PAUSED),
                unpause_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::SUSPENDED),
                unpause_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::SHUTDOWN),
                unpause_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::CRASHED),
                unpause_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::RESCUED),
                unpause_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unpause, $crate::cases::transition::SOFT_DELETED),
                suspend_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::RUNNING),
                suspend_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::PAUSED),
                suspend_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::SUSPENDED),
                suspend_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::SHUTDOWN),
                suspend_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::CRASHED),
                suspend_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::RESCUED),
                suspend_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Suspend, $crate::cases::transition::SOFT_DELETED),
                resume_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::RUNNING),
                resume_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::PAUSED),
                resume_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::SUSPENDED),
                resume_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::SHUTDOWN),
                resume_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::CRASHED),
                resume_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::RESCUED),
                resume_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Resume, $crate::cases::transition::SOFT_DELETED),
                power_off_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::RUNNING),
                power_off_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::PAUSED),
                power_off_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::SUSPENDED),
                power_off_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::SHUTDOWN),
                power_off_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::CRASHED),
                power_off_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::RESCUED),
                power_off_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOff, $crate::cases::transition::SOFT_DELETED),
                power_on_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::RUNNING),
                power_on_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::PAUSED),
                power_on_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::SUSPENDED),
                power_on_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::SHUTDOWN),
                power_on_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::CRASHED),
                power_on_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::RESCUED),
                power_on_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::PowerOn, $crate::cases::transition::SOFT_DELETED),
                reboot_soft_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::RUNNING),
                reboot_soft_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::PAUSED),
                reboot_soft_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::SUSPENDED),
                reboot_soft_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::SHUTDOWN),
                reboot_soft_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::CRASHED),
                reboot_soft_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::RESCUED),
                reboot_soft_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootSoft, $crate::cases::transition::SOFT_DELETED),
                reboot_hard_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::RUNNING),
                reboot_hard_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::PAUSED),
                reboot_hard_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::SUSPENDED),
                reboot_hard_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::SHUTDOWN),
                reboot_hard_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::CRASHED),
                reboot_hard_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::RESCUED),
                reboot_hard_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::RebootHard, $crate::cases::transition::SOFT_DELETED),
                rescue_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::RUNNING),
                rescue_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::PAUSED),
                rescue_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::SUSPENDED),
                rescue_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::SHUTDOWN),
                rescue_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::CRASHED),
                rescue_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::RESCUED),
                rescue_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Rescue, $crate::cases::transition::SOFT_DELETED),
                unrescue_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::RUNNING),
                unrescue_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::PAUSED),
                unrescue_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::SUSPENDED),
                unrescue_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::SHUTDOWN),
                unrescue_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::CRASHED),
                unrescue_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::RESCUED),
                unrescue_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Unrescue, $crate::cases::transition::SOFT_DELETED),
                soft_delete_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::RUNNING),
                soft_delete_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::PAUSED),
                soft_delete_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::SUSPENDED),
                soft_delete_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::SHUTDOWN),
                soft_delete_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::CRASHED),
                soft_delete_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::RESCUED),
                soft_delete_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::SoftDelete, $crate::cases::transition::SOFT_DELETED),
                restore_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::RUNNING),
                restore_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::PAUSED),
                restore_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::SUSPENDED),
                restore_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::SHUTDOWN),
                restore_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::CRASHED),
                restore_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::RESCUED),
                restore_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Restore, $crate::cases::transition::SOFT_DELETED),
                destroy_from_running => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::RUNNING),
                destroy_from_paused => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::PAUSED),
                destroy_from_suspended => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::SUSPENDED),
                destroy_from_shutdown => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::SHUTDOWN),
                destroy_from_crashed => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::CRASHED),
                destroy_from_rescued => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::RESCUED),
                destroy_from_soft_deleted => $crate::cases::transition::cell(::driver_api::LifecycleOperation::Destroy, $crate::cases::transition::SOFT_DELETED),
            }
            resources {
                spawn_claims_flavor,
                used_is_sum_of_flavors,
                destroy_releases_claim,
                ephemeral_and_swap_claimed,
                power_off_keeps_claim,
                soft_delete_keeps_claim,
                insufficient_vcpus,
                insufficient_memory,
                insufficient_disk,
                exact_fit_accepted,
                unknown_node,
            }
            identity {
                unknown_instance_not_found,
                spawn_duplicate_uuid,
                spawn_duplicate_name,
                spawn_powered_off,
                spawn_unknown_node,
                instance_exists_tracks_lifetime,
                listings_show_every_state,
                failed_spawn_leaves_nothing,
            }
            events {
                spawn_emits_started,
                destroy_running_emits_stopped,
                destroy_stopped_emits_nothing,
                order_follows_changes,
                interleaved_instances,
                noop_emits_nothing,
                listener_replaced,
                listener_unregistered,
                panicking_listener_contained,
                crash_emits_stopped,
            }
            idempotence {
                power_off_twice,
                power_on_twice,
                pause_twice,
                suspend_twice,
                soft_delete_twice,
                restore_twice,
                unrescue_twice,
                destroy_twice,
                init_host_twice,
                host_maintenance_twice,
                set_host_enabled_twice,
                plug_vifs_twice,
            }
            guest {
                snapshot_refuses_soft_deleted,
                crash_dump_while_paused,
                inject_file_rejects_relative_path,
                poll_rebooting_ignores_strangers,
            }
            volumes {
                attach_unknown_instance,
                mountpoint_busy,
                detach_nothing,
                attach_in_every_state,
                spawn_attaches_block_devices,
                usage_lists_attached,
            }
            interfaces {
                attach_detach,
                attach_duplicate,
                detach_unknown_instance,
                bw_counters_per_vif,
                plug_unknown_instance,
            }
            consoles {
                vnc_needs_running_guest,
                spice_needs_running_guest,
                serial_needs_running_guest,
                output_of_unknown_instance,
            }
            host {
                legacy_nwinfo,
                init_host_rejects_empty_name,
                disk_available_least,
                instance_on_disk,
                set_admin_password_needs_running,
                crash_dump_needs_running,
                backends_are_isolated,
            }
            migration {
                live_rollback_releases_reservation,
                live_destination_insufficient,
                live_destination_already_has_instance,
                live_source_must_run,
                cold_confirm_moves_instance,
                cold_revert_restores_source,
                cold_finish_insufficient,
                cold_variants => $crate::cases::protocol::cold_variants(),
                resize_same_host_variants => $crate::cases::protocol::resize_same_host_variants(),
                live_variants => $crate::cases::protocol::live_variants(),
            }
            bad_input {
                confirm_without_migration,
                confirm_with_another_record,
                revert_without_migration,
                live_migration_to_own_host,
                live_migration_to_empty_host,
                live_migration_to_unchecked_host,
                live_source_check_to_own_host,
                spawn_rejects_bad_names,
                spawn_rejects_bad_file_paths,
                spawn_rejects_bad_mountpoints,
                attach_volume_rejects_bad_mountpoints,
                inject_file_rejects_traversal,
                finish_migration_rejects_bad_input,
            }
            capability {
                declared_never_not_supported,
                capabilities_are_constant,
                undeclared_power_control => $crate::cases::capability::undeclared(::driver_api::Feature::PowerControl),
                undeclared_reboot => $crate::cases::capability::undeclared(::driver_api::Feature::Reboot),
                undeclared_pause => $crate::cases::capability::undeclared(::driver_api::Feature::Pause),
                undeclared_suspend => $crate::cases::capability::undeclared(::driver_api::Feature::Suspend),
                undeclared_rescue => $crate::cases::capability::undeclared(::driver_api::Feature::Rescue),
                undeclared_soft_delete => $crate::cases::capability::undeclared(::driver_api::Feature::SoftDelete),
                undeclared_snapshot => $crate::cases::capability::undeclared(::driver_api::Feature::Snapshot),
                undeclared_volumes => $crate::cases::capability::undeclared(::driver_api::Feature::Volumes),
                undeclared_interfaces => $crate::cases::capability::undeclared(::driver_api::Feature::Interfaces),
                undeclared_vif_plugging => $crate::cases::capability::undeclared(::driver_api::Feature::VifPlugging),
                undeclared_vnc_console => $crate::cases::capability::undeclared(::driver_api::Feature::VncConsole),
                undeclared_spice_console => $crate::cases::capability::undeclared(::driver_api::Feature::SpiceConsole),
                undeclared_console_output => $crate::cases::capability::undeclared(::driver_api::Feature::ConsoleOutput),
                undeclared_console_pool => $crate::cases::capability::undeclared(::driver_api::Feature::ConsolePool),
                undeclared_live_migration => $crate::cases::capability::undeclared(::driver_api::Feature::LiveMigration),
                undeclared_cold_migration => $crate::cases::capability::undeclared(::driver_api::Feature::ColdMigration),
                undeclared_file_injection => $crate::cases::capability::undeclared(::driver_api::Feature::FileInjection),
                undeclared_admin_password => $crate::cases::capability::undeclared(::driver_api::Feature::AdminPassword),
                undeclared_firewall => $crate::cases::capability::undeclared(::driver_api::Feature::Firewall),
                undeclared_host_power => $crate::cases::capability::undeclared(::driver_api::Feature::HostPower),
                undeclared_host_maintenance => $crate::cases::capability::undeclared(::driver_api::Feature::HostMaintenance),
                undeclared_host_enable => $crate::cases::capability::undeclared(::driver_api::Feature::HostEnable),
                undeclared_diagnostics => $crate::cases::capability::undeclared(::driver_api::Feature::Diagnostics),
                undeclared_disk_info => $crate::cases::capability::undeclared(::driver_api::Feature::DiskInfo),
                undeclared_usage_counters => $crate::cases::capability::undeclared(::driver_api::Feature::UsageCounters),
                undeclared_host_stats => $crate::cases::capability::undeclared(::driver_api::Feature::HostStats),
                undeclared_host_boot_recovery => $crate::cases::capability::undeclared(::driver_api::Feature::HostBootRecovery),
                undeclared_crash_dump => $crate::cases::capability::undeclared(::driver_api::Feature::CrashDump),
                undeclared_serial_console => $crate::cases::capability::undeclared(::driver_api::Feature::SerialConsole),
            }
            read_only {
                queries_answer,
                mutations_refused => $crate::cases::read_only_sweep::mutations_refused(),
                every_query_answered => $crate::cases::read_only_sweep::every_query_answered(),
            }
            secrets {
                never_printed,
            }
            cancellation {
                dropped_calls_change_nothing,
            }
            matrix {
                set_admin_password => $crate::cases::matrix::in_every_state("set_admin_password"),
                trigger_crash_dump => $crate::cases::matrix::in_every_state("trigger_crash_dump"),
                snapshot => $crate::cases::matrix::in_every_state("snapshot"),
                inject_file => $crate::cases::matrix::in_every_state("inject_file"),
                resume_state_on_host_boot => $crate::cases::matrix::in_every_state("resume_state_on_host_boot"),
                plug_vifs => $crate::cases::matrix::in_every_state("plug_vifs"),
                unplug_vifs => $crate::cases::matrix::in_every_state("unplug_vifs"),
                attach_volume => $crate::cases::matrix::in_every_state("attach_volume"),
                detach_volume => $crate::cases::matrix::in_every_state("detach_volume"),
                swap_volume => $crate::cases::matrix::in_every_state("swap_volume"),
                attach_interface => $crate::cases::matrix::in_every_state("attach_interface"),
                detach_interface => $crate::cases::matrix::in_every_state("detach_interface"),
                migrate_disk_and_power_off => $crate::cases::matrix::in_every_state("migrate_disk_and_power_off"),
                from_crashed => $crate::cases::matrix::from_crashed(),
                consoles_in_every_state => $crate::cases::matrix::consoles_in_every_state(),
                isolation => $crate::cases::matrix::isolation(),
                name_reused_after_destroy => $crate::cases::matrix::name_reused_after_destroy(),
            }
            model {
                random_walk_1 => $crate::cases::model::random_walk(1),
                random_walk_2 => $crate::cases::model::random_walk(2),
                random_walk_3 => $crate::cases::model::random_walk(3),
                random_walk_4 => $crate::cases::model::random_walk(4),
                random_walk_5 => $crate::cases::model::random_walk(5),
                random_walk_6 => $crate::cases::model::random_walk(6),
                random_walk_7 => $crate::cases::model::random_walk(7),
                random_walk_8 => $crate::cases::model::random_walk(8),
                two_host_walk_1 => $crate::cases::model::two_host_walk(1),
                two_host_walk_2 => $crate::cases::model::two_host_walk(2),
                two_host_walk_3 => $crate::cases::model::two_host_walk(3),
                two_host_walk_4 => $crate::cases::model::two_host_walk(4),
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __expand_catalogue {
    (registry () $($area:ident { $($name:ident $(=> $spec:expr)?),* $(,)? })*) => {
        vec![$($(
            $crate::__case_spec!($area $name $($spec)?)
                .into_case(concat!(stringify!($area), "::", stringify!($name))),
        )*)*]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __case_spec {
    ($area:ident $name:ident) => {
        $crate::cases::$area::$name()
    };
    ($area:ident $name:ident $spec:expr) => {
        $spec
    };
}

/// Every case of the suite, in catalogue order.
pub fn registry() -> Vec<Case> {
    crate::__with_catalogue!(registry())
}
