"""The live and cold migration calls of the Nova fake backend.

A mixin of :class:`NovaFakeBackend`: it reads the backend's ``nova`` (the
FakeDriver), ``host`` and ``_instance`` (an instance message as Nova's object).
"""

from compute.v1 import compute_pb2, model_pb2

from . import convert
from .translate import translated


class MigrationCalls:
    """The migration RPCs, each the call Nova's compute manager makes."""

    # --- live migration ------------------------------------------------------

    def check_can_live_migrate_destination(self, request, context):
        data = translated(
            lambda: self.nova.check_can_live_migrate_destination(
                convert.context(request.context),
                self._instance(request.instance),
                {},
                {},
                block_migration=request.block_migration,
                disk_over_commit=request.disk_over_commit,
            )
        )
        # This host is the destination that answered the check.
        return convert.live_migrate_data_back(data, dest_host=self.host)

    def check_can_live_migrate_destination_cleanup(self, request, context):
        translated(
            lambda: self.nova.cleanup_live_migration_destination_check(
                convert.context(request.context),
                convert.live_migrate_data(request.dest_check_data),
            )
        )
        return compute_pb2.Ack()

    def check_can_live_migrate_source(self, request, context):
        wire = request.dest_check_data
        data = translated(
            lambda: self.nova.check_can_live_migrate_source(
                convert.context(request.context),
                self._instance(request.instance),
                convert.live_migrate_data(wire),
            )
        )
        return convert.live_migrate_data_back(data, wire.dest_host, self.host)

    def pre_live_migration(self, request, context):
        wire = request.migrate_data
        data = translated(
            lambda: self.nova.pre_live_migration(
                convert.context(request.context),
                self._instance(request.instance),
                convert.block_device_info(request.block_device_info),
                convert.network_info(request.network_info),
                None,
                convert.live_migrate_data(wire),
            )
        )
        source = wire.source_host if wire.HasField("source_host") else None
        return convert.live_migrate_data_back(data, wire.dest_host, source)

    def live_migration(self, request, context):
        steps = []
        wire = request.migrate_data

        def post(ctx, instance, dest, block_migration=False, migrate_data=None):
            steps.append(
                compute_pb2.LiveMigrationProgress(
                    post=compute_pb2.LiveMigrationPost(
                        instance=request.instance, dest=dest, migrate_data=wire
                    )
                )
            )

        def recover(ctx, instance, dest, block_migration=False, migrate_data=None,
                    migration_status="error"):
            status = model_pb2.MigrationStatus.Value(
                "MIGRATION_STATUS_" + str(migration_status).upper()
            )
            steps.append(
                compute_pb2.LiveMigrationProgress(
                    recover=compute_pb2.LiveMigrationRecover(
                        instance=request.instance, dest=dest, migrate_data=wire, status=status
                    )
                )
            )

        translated(
            lambda: self.nova.live_migration(
                convert.context(request.context),
                self._instance(request.instance),
                request.dest,
                post,
                recover,
                block_migration=request.block_migration,
                migrate_data=convert.live_migrate_data(wire),
            )
        )
        yield from steps

    def post_live_migration_at_destination(self, request, context):
        translated(
            lambda: self.nova.post_live_migration_at_destination(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                block_migration=request.block_migration,
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        return compute_pb2.Ack()

    def rollback_live_migration_at_destination(self, request, context):
        translated(
            lambda: self.nova.rollback_live_migration_at_destination(
                convert.context(request.context),
                self._instance(request.instance),
                convert.network_info(request.network_info),
                convert.block_device_info(request.block_device_info),
                destroy_disks=request.destroy_disks,
            )
        )
        return compute_pb2.Ack()

    def live_migration_force_complete(self, request, context):
        translated(lambda: self.nova.live_migration_force_complete(self._instance(request.instance)))
        return compute_pb2.Ack()

    def live_migration_abort(self, request, context):
        translated(lambda: self.nova.live_migration_abort(self._instance(request.instance)))
        return compute_pb2.Ack()

    # --- cold migration ------------------------------------------------------

    def migrate_disk_and_power_off(self, request, context):
        translated(
            lambda: self.nova.migrate_disk_and_power_off(
                convert.context(request.context),
                self._instance(request.instance),
                request.dest,
                convert.flavor(request.flavor),
                convert.network_info(request.network_info),
                block_device_info=convert.block_device_info(request.block_device_info),
            )
        )
        # Nova's fake returns no disk information.
        return model_pb2.DiskInfo()

    def finish_migration(self, request, context):
        translated(
            lambda: self.nova.finish_migration(
                convert.context(request.context),
                convert.migration(request.migration),
                self._instance(request.instance),
                None,
                convert.network_info(request.network_info),
                convert.image_meta(request.image_meta),
                request.resize_instance,
                {},
                block_device_info=convert.block_device_info(request.block_device_info),
                power_on=request.power_on,
            )
        )
        return compute_pb2.Ack()

    def confirm_migration(self, request, context):
        translated(
            lambda: self.nova.confirm_migration(
                convert.context(None),
                convert.migration(request.migration),
                self._instance(request.instance),
                convert.network_info(request.network_info),
            )
        )
        return compute_pb2.Ack()

    def finish_revert_migration(self, request, context):
        instance = self._instance(request.instance)
        translated(
            lambda: self.nova.finish_revert_migration(
                convert.context(None),
                instance,
                convert.network_info(request.network_info),
                # The request carries no migration: Nova's fake does not read it.
                None,
                block_device_info=convert.block_device_info(request.block_device_info),
                power_on=request.power_on,
            )
        )
        return compute_pb2.Ack()
