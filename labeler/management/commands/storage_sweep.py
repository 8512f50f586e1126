"""Run at server start: move outputs named by the older scheme and remove orphans on disk."""

from django.core.management.base import BaseCommand

from labeler.services.saving import outputs_rename_legacy
from labeler.services.sweep import orphans_sweep


class Command(BaseCommand):
    help = (
        "Move outputs named <stem>_labels.csv (before names carried the file id) to their "
        "file's names, and remove upload folders, outputs folders and checkpoints that belong to "
        "nothing and were not written for ORPHAN_GRACE_S. "
        "Safe to run at every start."
    )

    def handle(self, *args, **options):
        renamed = outputs_rename_legacy()
        removed = orphans_sweep()
        self.stdout.write(
            f"Outputs moved to their file's names: {renamed['moved']}, written again from "
            f"saved labels: {renamed['rewritten']}; orphans removed: {len(removed)}."
        )
