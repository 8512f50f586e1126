from django.core.management.base import BaseCommand

from labeler import storage
from labeler.ingest.pyramid import pyramid_build, pyramid_complete, pyramid_open
from labeler.models import SeriesFile


class Command(BaseCommand):
    help = (
        "Write the min/max pyramid of every file whose cache has none (caches from before "
        "pyramids; otherwise each is built on the first plot request that needs it) or an "
        "older one without bucket times (it works, but reads slowly from a cold page cache)."
    )

    def handle(self, *args, **options):
        built = current = failed = 0
        for series_file in SeriesFile.objects.order_by("id").iterator():
            try:
                series = storage.series_of(series_file)
                if pyramid_complete(pyramid_open(series)):
                    current += 1
                    continue
                pyramid_build(series)
                built += 1
            except Exception as error:
                failed += 1
                self.stderr.write(f"file {series_file.id} ({series_file.name}): {error}")
        self.stdout.write(f"Pyramids built: {built}, already there: {current}, failed: {failed}.")
