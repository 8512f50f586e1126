import shutil
from collections import Counter
from datetime import UTC, datetime

from django.db import transaction

from autolabel.services import model_remove
from labeler import exports, storage
from labeler.errors import Conflict, InvalidInput
from labeler.label_config import (
    LabelConfigError,
    LabelSet,
    label_config_parse,
    label_config_render,
    labels_normalise,
)
from labeler.models import Annotation, Project, ProjectMembership
from labeler.services.access import Action, project_permission_check
from labeler.services.files import file_storage_remove
from labeler.working_state import Change, working_state_store

TIME_COLUMN_MAX_LENGTH = Project._meta.get_field("time_column").max_length


def label_set_from_input(*, labels=None, label_config=None, time_column="", channels=None):
    """Either a label list or a Label Studio XML config (not both) -> (LabelSet, xml)."""
    if labels and label_config:
        raise InvalidInput("Give the labels either as a list or as a label config, not both.")
    try:
        if label_config:
            label_set, xml = label_config_parse(label_config), label_config
        else:
            label_set = LabelSet(
                labels=labels_normalise(labels or []),
                time_column=time_column or "",
                channels=list(channels or []),
            )
            xml = label_config_render(label_set)
    except LabelConfigError as error:
        raise InvalidInput(str(error)) from error
    if len(label_set.time_column) > TIME_COLUMN_MAX_LENGTH:
        raise InvalidInput(
            f"The time column's name is longer than {TIME_COLUMN_MAX_LENGTH} characters."
        )
    return label_set, xml


@transaction.atomic
def project_create(
    *,
    user,
    name,
    description="",
    labels=None,
    label_config=None,
    time_column="",
    channels=None,
    no_overlap=False,
) -> Project:
    label_set, xml = label_set_from_input(
        labels=labels, label_config=label_config, time_column=time_column, channels=channels
    )
    project = Project.objects.create(
        name=name,
        description=description,
        labels=label_set.labels,
        label_config=xml,
        time_column=label_set.time_column,
        channels=label_set.channels,
        no_overlap=no_overlap,
        created_by=user,
    )
    ProjectMembership.objects.create(project=project, user=user, role=ProjectMembership.Role.OWNER)
    return project


@transaction.atomic
def project_update(*, project, user, on_removed_labels=None, **fields) -> Project:
    """on_removed_labels: {label: {"relabel": kept label} | {"delete": True}}, required for
    each dropped label that saved or working-state annotations still use."""
    project_permission_check(project=project, user=user, action=Action.PROJECT_CHANGE)
    labels, label_config = fields.pop("labels", None), fields.pop("label_config", None)
    removals = {}
    if labels is not None or label_config is not None:
        label_set, xml = label_set_from_input(
            labels=labels,
            label_config=label_config,
            time_column=fields.get("time_column", project.time_column),
            channels=fields.get("channels", project.channels),
        )
        removals = _removed_labels_plan(project, label_set, on_removed_labels or {})
        project.labels, project.label_config = label_set.labels, xml
        project.time_column, project.channels = label_set.time_column, label_set.channels
    for name in ("name", "description", "time_column", "channels", "no_overlap"):
        if name in fields:
            setattr(project, name, fields[name])
    if ("time_column" in fields or "channels" in fields) and label_config is None:
        project.label_config = label_config_render(
            LabelSet(project.labels, project.time_column, project.channels)
        )
    project.save()
    if removals:
        _removed_labels_apply(project, removals, user)
    return project


def _working_annotations(project):
    """(file, working state) of each file of the project edited since its last Save."""
    store = working_state_store()
    for series_file in project.files.all():
        state = store.get(series_file.id)
        if state.version:
            yield series_file, state


def _label_uses(project, names) -> dict[str, dict]:
    """{label: {"saved": n, "working": n, "instants": n, "ranges": n}} for the labels named."""
    uses = {name: Counter() for name in names}
    saved = Annotation.objects.filter(file__project=project, label__in=names)
    for label, instant in saved.values_list("label", "instant"):
        uses[label].update(saved=1, instants=int(instant), ranges=int(not instant))
    for _series_file, state in _working_annotations(project):
        for annotation in state.annotations.values():
            label = _label_of(annotation)
            if label in uses:
                instant = bool(annotation.get("instant"))
                uses[label].update(working=1, instants=int(instant), ranges=int(not instant))
    return {
        name: {key: counts[key] for key in ("saved", "working", "instants", "ranges")}
        for name, counts in uses.items()
        if counts
    }


def _removed_labels_plan(project, label_set, choices) -> dict[str, str | None]:
    """{dropped label in use: the label it becomes, or None to delete its annotations}."""
    kept = {label["name"]: label for label in label_set.labels}
    dropped = [name for name in project.label_names if name not in kept]
    stray = sorted(set(choices) - set(dropped))
    if stray:
        raise InvalidInput(
            "on_removed_labels names labels this change does not remove: " + ", ".join(stray)
        )
    in_use = _label_uses(project, dropped)
    undecided = {name: counts for name, counts in in_use.items() if name not in choices}
    if undecided:
        described = "; ".join(
            f"{name} ({counts['saved']} saved, {counts['working']} in the working state)"
            for name, counts in undecided.items()
        )
        raise Conflict(
            f"These labels are still used: {described}. Keep them, or say what becomes of their "
            'annotations with on_removed_labels: {"<label>": {"relabel": "<kept label>"}} or '
            '{"<label>": {"delete": true}}.',
            {"labels_in_use": undecided},
        )
    return {
        name: _removal_choice(name, choices[name], kept, in_use.get(name))
        for name in choices
        if name in in_use
    }


def _removal_choice(name, choice, kept, counts) -> str | None:
    if choice == {"delete": True}:
        return None
    target = choice.get("relabel") if isinstance(choice, dict) and len(choice) == 1 else None
    if not isinstance(target, str):
        raise InvalidInput(
            f'on_removed_labels.{name} must be {{"relabel": "<kept label>"}} or {{"delete": true}}.'
        )
    if target not in kept:
        raise InvalidInput(f"{name} cannot become {target!r}: the new label set has no such label.")
    kind = kept[target]["kind"]
    if (kind == "range" and counts["instants"]) or (kind == "instant" and counts["ranges"]):
        raise InvalidInput(
            f"{name} cannot become {target}: {target} is a {kind} label and {name} marks "
            f"{counts['instants']} instant(s) and {counts['ranges']} range(s)."
        )
    return target


def _removed_labels_apply(project, removals, user) -> None:
    """Relabel or delete the dropped labels' annotations, in the working state and saved."""
    from labeler.services.annotations import annotation_from_saved, working_state_rewrite

    now = datetime.now(UTC).isoformat()
    for series_file, state in _working_annotations(project):
        changes = [
            _removal_change(annotation, removals[_label_of(annotation)], now)
            for annotation in state.annotations.values()
            if _label_of(annotation) in removals
        ]
        if changes:
            working_state_rewrite(series_file=series_file, user=user, changes=changes)
    saved_files = set()
    for old, new in removals.items():
        saved = Annotation.objects.filter(file__project=project, label=old)
        saved_files.update(saved.values_list("file_id", flat=True))
        if new is None:
            saved.delete()
        else:
            saved.update(label=new)
    for series_file in project.files.filter(pk__in=saved_files):
        exports.outputs_write(
            series_file, [annotation_from_saved(a) for a in series_file.annotations.all()]
        )


def _label_of(annotation) -> str | None:
    label = annotation.get("label")
    return label if isinstance(label, str) else None  # a malformed record may hold anything


def _removal_change(annotation, new_label, now) -> Change:
    key, version = annotation["id"], annotation["version"]
    if new_label is None:
        return Change("delete", key, expected_version=version)
    fields = {k: v for k, v in annotation.items() if k != "version"}
    return Change("update", key, {**fields, "label": new_label, "updated_at": now}, version)


@transaction.atomic
def project_delete(*, project, user) -> None:
    """Delete the project, its files and its models; once that is committed, the files'
    folders, outputs and working states, the models' checkpoints and the outputs folder go."""
    project_permission_check(project=project, user=user, action=Action.PROJECT_DELETE)
    files = list(project.files.values_list("storage_key", "id"))
    outputs = storage.outputs_dir(project.id)
    for model in project.models.all():
        model_remove(model=model)
    project.delete()

    def remove_storage():
        for storage_key, file_id in files:
            file_storage_remove(storage_key=storage_key, file_id=file_id)
        shutil.rmtree(outputs, ignore_errors=True)

    transaction.on_commit(remove_storage)


def project_member_add(*, project, user, added_by, role=ProjectMembership.Role.ANNOTATOR):
    """Add user to the project with role, or change their role (owners only)."""
    project_permission_check(project=project, user=added_by, action=Action.MEMBERS_MANAGE)
    owners = project.memberships.filter(role=ProjectMembership.Role.OWNER).exclude(user=user)
    if role != ProjectMembership.Role.OWNER and not owners.exists():
        raise Conflict("The project would have no owner left: make someone else owner first.")
    membership, _ = ProjectMembership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership
