from django.apps import AppConfig


class LabelerConfig(AppConfig):
    name = "labeler"
    verbose_name = "Labeling"

    def ready(self):
        from pathlib import Path

        from django.conf import settings

        from labeler.services import tokens  # noqa: F401 - connects the password-change receiver

        # Uploads stream into this folder; it must exist before the first request.
        Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
