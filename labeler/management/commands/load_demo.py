import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from config.env import env
from labeler.models import Project
from labeler.services.annotations import annotation_create
from labeler.services.files import file_upload
from labeler.services.projects import project_create
from labeler.services.saving import file_save

DEMO_DIR = Path(settings.BASE_DIR) / "demo" / "basicmotions"
DEMO_NAME = "BasicMotions demo"
# The last recordings stay unlabeled, for auto-labeling and "Label next".
UNLABELED = 2


class Command(BaseCommand):
    help = "Load the BasicMotions demo project (once) for the admin user."

    def handle(self, *args, **options):
        username = env.str("DJANGO_SUPERUSER_USERNAME", default="admin")
        owner = get_user_model().objects.filter(username=username).first()
        if owner is None:
            self.stderr.write(f"No user '{username}': run ensure_admin first.")
            return
        if Project.objects.filter(name=DEMO_NAME).exists():
            self.stdout.write(f"Demo project '{DEMO_NAME}' already loaded.")
            return
        project = demo_project_load(owner=owner)
        self.stdout.write(f"Loaded demo project '{DEMO_NAME}' ({project.files.count()} files).")


@transaction.atomic
def demo_project_load(*, owner) -> Project:
    project = project_create(
        user=owner,
        name=DEMO_NAME,
        description="Smart-watch accelerometer and gyroscope at 10 Hz (BasicMotions, UEA/UCR).",
        label_config=(DEMO_DIR / "label_config.xml").read_text(),
    )
    tasks = json.loads((DEMO_DIR / "annotations.json").read_text())
    for position, task in enumerate(tasks):
        name = Path(task["data"]["csv_url"]).name
        upload = SimpleUploadedFile(name, (DEMO_DIR / name).read_bytes(), "text/csv")
        outcome = file_upload(project=project, name=name, uploaded=upload, user=owner)
        if not outcome.created or position >= len(tasks) - UNLABELED:
            continue
        for region in task["annotations"][0]["result"]:
            value = region["value"]
            annotation_create(
                series_file=outcome.file,
                user=owner,
                label=value["timeserieslabels"][0],
                start=value["start"],
                end=value["end"],
            )
        file_save(series_file=outcome.file, user=owner)
    return project
