//! The catalogue: every case id, in one place.
//!
//! The list below feeds the registry ([`registry`]), which the runner and
//! the tests that [`suite!`](crate::suite) generates both read. An entry `name` in area `area` is the
//! case built by `cases::area::name()`; an entry `name => expr` is built by
//! `expr`; an area's list may end with `; expr`, cases generated from one
//! source (`expr` yields `(name, spec)` pairs: every cell of the transition
//! table, one capability case per feature). A case constructor missing from
//! the list is dead code, which the lints reject.

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
                ; $crate::cases::transition::cells()
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
                listener_may_call_back,
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
                finish_migration_edges => $crate::cases::protocol::finish_migration_edges(),
                live_variants => $crate::cases::protocol::live_variants(),
                post_without_reservation => $crate::cases::protocol::post_without_reservation(),
            }
            bad_input {
                confirm_without_migration,
                confirm_with_another_record,
                revert_without_migration,
                resize_to_smaller_disk,
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
                capabilities_are_constant;
                $crate::cases::capability::undeclared_cases()
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
    (registry () $($area:ident { $($name:ident $(=> $spec:expr)?),* $(,)? $(; $generated:expr)? })*) => {{
        let mut cases = Vec::new();
        $(
            $(
                cases.push(
                    $crate::__case_spec!($area $name $($spec)?)
                        .into_case(concat!(stringify!($area), "::", stringify!($name))),
                );
            )*
            $(
                for (name, spec) in $generated {
                    cases.push(spec.into_case(format!("{}::{name}", stringify!($area))));
                }
            )?
        )*
        cases
    }};
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
// One push per listed case, then the generated ones, area by area.
#[allow(clippy::vec_init_then_push)]
pub fn registry() -> Vec<Case> {
    crate::__with_catalogue!(registry())
}
