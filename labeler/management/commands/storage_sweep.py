"""Run at server start: move outputs named by the older scheme and remove orphan uploads."""

from django.core.management.base import BaseCommand

from labeler.services.files import files_orphans_sweep
from labeler.services.saving import outputs_rename_legacy


class Command(BaseCommand):
    help = (
        "Move outputs named <stem>_labels.csv (before names carried the file id) to their "
        "file's names, and remove upload folders of no file untouched for ORPHAN_GRACE_S. "
        "Safe to run at every start."
    )

    def handle(self, *args, **options):
        renamed = outputs_rename_legacy()
        removed = files_orphans_sweep()
        self.stdout.write(
            f"Outputs moved to their file's names: {renamed['moved']}, written again from "
            f"saved labels: {renamed['rewritten']}; orphan uploads removed: {len(removed)}."
        )
