//! Where each scenario of Nova's `test_virt_drivers.py::_VirtDriverTestCase`
//! lives in this suite (the 64 current tests, then the Grizzly-only ones), or
//! why it has no counterpart.
//!
//! A test checks that every mapped case id is in the registry, so this table
//! cannot drift from the suite.

/// What became of one Nova scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NovaScenario {
    /// The case (or cases) that check it, stricter than Nova.
    Case(&'static [&'static str]),
    /// The contract has no such method or the type system rules the scenario out.
    NotApplicable(&'static str),
}

use NovaScenario::{Case, NotApplicable};

/// Nova's test names, in Nova's order (§4.2 of the reference), then the
/// Grizzly-only tests (§4.4), each with its counterpart here.
pub const NOVA_SCENARIOS: &[(&str, NovaScenario)] = &[
    ("test_init_host", Case(&["nova::init_host"])),
    ("test_list_instances", Case(&["nova::list_instances"])),
    (
        "test_list_instance_uuids",
        Case(&["nova::list_instance_uuids"]),
    ),
    ("test_spawn", Case(&["nova::spawn"])),
    (
        "test_snapshot_not_running",
        Case(&["nova::snapshot_not_running"]),
    ),
    ("test_snapshot_running", Case(&["nova::snapshot_running"])),
    (
        "test_reboot",
        Case(&["nova::reboot", "transition::reboot_soft_from_running"]),
    ),
    ("test_get_host_ip_addr", Case(&["nova::get_host_ip_addr"])),
    (
        "test_set_admin_password",
        Case(&["nova::set_admin_password"]),
    ),
    (
        "test_resume_state_on_host_boot",
        Case(&["nova::resume_state_on_host_boot"]),
    ),
    ("test_rescue", Case(&["nova::rescue"])),
    (
        "test_unrescue_unrescued_instance",
        Case(&["nova::unrescue_unrescued_instance"]),
    ),
    (
        "test_unrescue_rescued_instance",
        Case(&["nova::unrescue_rescued_instance"]),
    ),
    (
        "test_poll_rebooting_instances",
        Case(&["nova::poll_rebooting_instances"]),
    ),
    (
        "test_migrate_disk_and_power_off",
        Case(&["nova::migrate_disk_and_power_off"]),
    ),
    ("test_power_off", Case(&["nova::power_off"])),
    ("test_power_on_running", Case(&["nova::power_on_running"])),
    (
        "test_power_on_powered_off",
        Case(&["nova::power_on_powered_off"]),
    ),
    (
        "test_trigger_crash_dump",
        Case(&["nova::trigger_crash_dump"]),
    ),
    ("test_soft_delete", Case(&["nova::soft_delete"])),
    ("test_restore_running", Case(&["nova::restore_running"])),
    (
        "test_restore_soft_deleted",
        Case(&["nova::restore_soft_deleted"]),
    ),
    ("test_pause", Case(&["nova::pause"])),
    (
        "test_unpause_unpaused_instance",
        Case(&["nova::unpause_unpaused_instance"]),
    ),
    (
        "test_unpause_paused_instance",
        Case(&["nova::unpause_paused_instance"]),
    ),
    ("test_suspend", Case(&["nova::suspend"])),
    (
        "test_resume_unsuspended_instance",
        Case(&["nova::resume_unsuspended_instance"]),
    ),
    (
        "test_resume_suspended_instance",
        Case(&["nova::resume_suspended_instance"]),
    ),
    (
        "test_destroy_instance_nonexistent",
        Case(&["nova::destroy_instance_nonexistent"]),
    ),
    ("test_destroy_instance", Case(&["nova::destroy_instance"])),
    (
        "test_get_volume_connector",
        Case(&["nova::get_volume_connector"]),
    ),
    (
        "test_get_volume_connector_storage_ip",
        NotApplicable("Nova configuration (my_block_storage_ip), not driver behaviour"),
    ),
    (
        "test_attach_detach_volume",
        Case(&["nova::attach_detach_volume"]),
    ),
    ("test_swap_volume", Case(&["nova::swap_volume"])),
    (
        "test_attach_detach_different_power_states",
        Case(&[
            "nova::attach_detach_different_power_states",
            "volumes::attach_in_every_state",
        ]),
    ),
    ("test_get_info", Case(&["nova::get_info"])),
    (
        "test_get_info_for_unknown_instance",
        Case(&["nova::get_info_for_unknown_instance"]),
    ),
    ("test_get_diagnostics", Case(&["nova::get_diagnostics"])),
    (
        "test_get_instance_diagnostics",
        Case(&["nova::get_instance_diagnostics"]),
    ),
    ("test_block_stats", Case(&["nova::block_stats"])),
    (
        "test_get_console_output",
        Case(&["nova::get_console_output"]),
    ),
    ("test_get_vnc_console", Case(&["nova::get_vnc_console"])),
    ("test_get_spice_console", Case(&["nova::get_spice_console"])),
    (
        "test_get_serial_console",
        Case(&["nova::get_serial_console"]),
    ),
    (
        "test_get_mks_console",
        NotApplicable("the contract has no MKS (VMware) console"),
    ),
    ("test_live_migration", Case(&["nova::live_migration"])),
    (
        "test_live_migration_force_complete",
        Case(&["nova::live_migration_force_complete"]),
    ),
    (
        "test_live_migration_abort",
        Case(&["nova::live_migration_abort"]),
    ),
    (
        "test_get_available_resource",
        Case(&["nova::get_available_resource"]),
    ),
    (
        "test_get_available_nodes",
        Case(&["nova::get_available_nodes"]),
    ),
    (
        "test_get_host_cpu_stats",
        Case(&["nova::get_host_cpu_stats"]),
    ),
    ("test_set_host_enabled", Case(&["nova::set_host_enabled"])),
    ("test_get_host_uptime", Case(&["nova::get_host_uptime"])),
    (
        "test_host_power_action_reboot",
        Case(&["nova::host_power_action_reboot"]),
    ),
    (
        "test_host_power_action_shutdown",
        Case(&["nova::host_power_action_shutdown"]),
    ),
    (
        "test_host_power_action_startup",
        Case(&["nova::host_power_action_startup"]),
    ),
    (
        "test_events",
        Case(&["nova::events", "events::order_follows_changes"]),
    ),
    (
        "test_event_bad_object",
        NotApplicable("emit_event takes a typed LifecycleEvent: a non-event does not compile"),
    ),
    (
        "test_event_bad_callback",
        Case(&[
            "nova::event_bad_callback",
            "events::panicking_listener_contained",
        ]),
    ),
    (
        "test_emit_unicode_event",
        NotApplicable(
            "event names are a closed enum (LifecycleTransition); nothing user-named to encode",
        ),
    ),
    (
        "test_get_instance_disk_info",
        Case(&["nova::get_instance_disk_info"]),
    ),
    (
        "test_get_device_name_for_instance",
        NotApplicable("device naming is the compute manager's job; not a contract method"),
    ),
    (
        "test_network_binding_host_id",
        NotApplicable("a base-class default of Nova's, not a driver operation"),
    ),
    (
        "test_get_allocation_ratio",
        NotApplicable("allocation ratios are Nova configuration, not a driver operation"),
    ),
    ("test_inject_file (Grizzly)", Case(&["nova::inject_file"])),
    (
        "test_interface_stats (Grizzly)",
        Case(&["nova::interface_stats"]),
    ),
    (
        "test_get_console_pool_info (Grizzly)",
        Case(&["nova::get_console_pool_info"]),
    ),
    (
        "test_refresh_security_group_rules (Grizzly)",
        Case(&["nova::refresh_security_group_rules"]),
    ),
    (
        "test_refresh_security_group_members (Grizzly)",
        Case(&["nova::refresh_security_group_members"]),
    ),
    (
        "test_refresh_provider_fw_rules (Grizzly)",
        Case(&["nova::refresh_provider_fw_rules"]),
    ),
    (
        "test_ensure_filtering_for_instance (Grizzly)",
        Case(&["nova::ensure_filtering_for_instance"]),
    ),
    (
        "test_unfilter_instance (Grizzly)",
        Case(&["nova::unfilter_instance"]),
    ),
    (
        "test_get_host_stats (Grizzly)",
        Case(&["nova::get_host_stats"]),
    ),
    (
        "test_add_to_aggregate (Grizzly)",
        NotApplicable("aggregates are VirtAPI's (the virtapi crate), not the driver's"),
    ),
    (
        "test_remove_from_aggregate (Grizzly)",
        NotApplicable("aggregates are VirtAPI's (the virtapi crate), not the driver's"),
    ),
];
