"""Start-up and worker housekeeping: outputs of the older naming move to their file's names,
and what belongs to nothing on disk is removed (never an upload or a Save in progress)."""

import os
import time

import pytest
from django.core.management import call_command

from autolabel.management.commands.jobs_worker import reaper_round
from autolabel.models import TrainedModel
from autolabel.services import model_path
from labeler import exports, storage
from labeler.models import Project, SeriesFile
from labeler.services.sweep import orphans_sweep
from tests.api.conftest import upload_one

HOUR_S = 3600


def _age(path, seconds):
    """Make path and everything under it look untouched for that long."""
    then = time.time() - seconds
    for child in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(child, (then, then))


def _leftovers(settings):
    root = storage.files_root()
    root.mkdir(parents=True, exist_ok=True)
    old, fresh = root / ("0" * 32), root / ("f" * 32)
    for folder in (old, fresh):
        (folder / "cache").mkdir(parents=True)
        (folder / "source.csv").write_text("time,a\n0,1\n")
    _age(old, 2 * HOUR_S)
    temporary = {}
    for name, age in (("old", 2 * HOUR_S), ("fresh", 0)):
        temporary[name] = storage.media_root() / "tmp" / f"{name}.upload.csv"
        temporary[name].parent.mkdir(parents=True, exist_ok=True)
        temporary[name].write_text("partial upload")
        _age(temporary[name], age)
    return old, fresh, temporary


def test_sweep_removes_old_leftovers_only(client, project, uploaded_file, settings):
    settings.ORPHAN_GRACE_S = HOUR_S
    real = storage.file_dir(SeriesFile.objects.get(pk=uploaded_file["id"]).storage_key)
    _age(real, 2 * HOUR_S)
    old, fresh, temporary = _leftovers(settings)

    assert sorted(orphans_sweep()) == sorted([old, temporary["old"]])
    assert not old.exists() and not temporary["old"].exists()
    assert fresh.exists() and temporary["fresh"].exists() and real.exists()
    assert client.get(f"/api/files/{uploaded_file['id']}/data/").status_code == 200


def test_sweep_removes_outputs_and_checkpoints_of_nothing(client, project, uploaded_file, settings):
    settings.ORPHAN_GRACE_S = HOUR_S
    label_and_save(client, uploaded_file["id"], "Walk", 1)
    live_outputs = storage.outputs_dir(project["id"])
    gone_project = storage.outputs_dir(Project.objects.order_by("-pk")[0].pk + 1)
    gone_project.mkdir()
    (gone_project / "7~walk_labels.csv").write_text("start,end\n")
    interrupted_save = live_outputs / ".1~walk_labels.csv.abc123.tmp"
    of_a_deleted_file = live_outputs / "99~gone_labels.csv"  # e.g. saved while it was deleted
    older_naming = live_outputs / "walk_labels.csv"  # storage_sweep moves these, never removes
    for path in (interrupted_save, of_a_deleted_file, older_naming):
        path.write_text("x")
    model = TrainedModel.objects.create(name="m", source=TrainedModel.Source.UPLOADED)
    registered = model_path(model)
    unregistered = storage.models_dir() / ("a" * 32 + ".pt")
    storage.models_dir().mkdir(parents=True)
    for checkpoint in (registered, unregistered):
        checkpoint.write_bytes(b"weights")
    fresh_checkpoint = storage.models_dir() / ("b" * 32 + ".pt")  # one being registered
    fresh_checkpoint.write_bytes(b"weights")
    for path in (live_outputs, gone_project, registered, unregistered):
        _age(path, 2 * HOUR_S)

    removed = orphans_sweep()
    assert sorted(removed) == sorted(
        [gone_project, interrupted_save, of_a_deleted_file, unregistered]
    )
    assert registered.exists() and fresh_checkpoint.exists()
    assert sorted(p.name for p in live_outputs.iterdir()) == sorted(
        [older_naming.name]
        + [
            path.name
            for path in exports.output_paths(
                SeriesFile.objects.get(pk=uploaded_file["id"])
            ).values()
        ]
    )


def test_a_folder_still_being_written_is_kept(db, settings):
    settings.ORPHAN_GRACE_S = HOUR_S
    _old, fresh, _temporary = _leftovers(settings)
    _age(fresh, 2 * HOUR_S)
    (fresh / "cache" / "acc_x.npy").write_bytes(b"written just now")  # an ingest in progress
    orphans_sweep()
    assert fresh.exists()


@pytest.mark.django_db(transaction=True)  # the reaper closes its connection after each round
def test_the_worker_reaper_sweeps_when_due(settings):
    settings.ORPHAN_GRACE_S = HOUR_S
    old, fresh, _temporary = _leftovers(settings)
    next_sweep = reaper_round(time.monotonic() + HOUR_S)  # not due: nothing removed
    assert old.exists()
    assert reaper_round(0.0) > time.monotonic()
    assert not old.exists() and fresh.exists()
    assert next_sweep > time.monotonic()


def label_and_save(client, file_id, label_name, start):
    body = {"label": label_name, "start": start, "end": start + 1}
    assert client.post(f"/api/files/{file_id}/annotations/", body, format="json").status_code == 201
    assert client.post(f"/api/files/{file_id}/save/").status_code == 200


def _as_before_the_id_naming(series_file) -> dict:
    """Rename the file's outputs to the older <stem>_labels.csv names; returns their bytes."""
    contents = {}
    legacy = exports.legacy_output_paths(series_file)
    for suffix, path in exports.output_paths(series_file).items():
        contents[suffix] = path.read_bytes()
        os.replace(path, legacy[suffix])
    return contents


def _current(series_file) -> dict:
    return {suffix: path.read_bytes() for suffix, path in exports.output_paths(series_file).items()}


@pytest.mark.parametrize("shared_json", ["names its file", "unreadable"])
def test_outputs_of_the_older_naming_move_to_their_files(client, project, shared_json):
    plain = upload_one(client, project["id"], "plain.csv")
    alpha = upload_one(client, project["id"], "données_α.csv")
    beta = upload_one(client, project["id"], "données_β.csv")
    label_and_save(client, plain["id"], "Walk", 1)
    label_and_save(client, alpha["id"], "Walk", 2)
    label_and_save(client, beta["id"], "Run", 3)
    plain, alpha, beta = (SeriesFile.objects.get(pk=f["id"]) for f in (plain, alpha, beta))
    plain_outputs, alpha_outputs = _as_before_the_id_naming(plain), _current(alpha)
    # Before, beta's Save overwrote alpha's outputs: one shared set, beta's.
    for path in exports.output_paths(alpha).values():
        path.unlink()
    beta_outputs = _as_before_the_id_naming(beta)
    if shared_json == "unreadable":  # nobody can be told its owner: both are written again
        exports.legacy_output_paths(beta)["_labels.json"].write_text("[{")

    call_command("storage_sweep")
    assert _current(plain) == plain_outputs
    assert _current(beta) == beta_outputs
    assert _current(alpha) == alpha_outputs  # written again from its saved labels
    folder = storage.outputs_dir(project["id"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        path.name for f in (plain, alpha, beta) for path in exports.output_paths(f).values()
    )

    label_and_save(client, plain.id, "Run", 5)
    newer = _current(plain)
    call_command("storage_sweep")  # again: nothing to do, nothing undone
    assert _current(plain) == newer and _current(beta) == beta_outputs
