from django.db import transaction

from labeler.errors import InvalidInput
from labeler.label_config import (
    LabelConfigError,
    LabelSet,
    label_config_parse,
    label_config_render,
    labels_normalise,
)
from labeler.models import Project, ProjectMembership


def label_set_from_input(*, labels=None, label_config=None, time_column="", channels=None):
    """Either a label list or a Label Studio XML config (not both) -> (LabelSet, xml)."""
    if labels and label_config:
        raise InvalidInput("Give the labels either as a list or as a label config, not both.")
    try:
        if label_config:
            label_set = label_config_parse(label_config)
            return label_set, label_config
        label_set = LabelSet(
            labels=labels_normalise(labels or []),
            time_column=time_column or "",
            channels=list(channels or []),
        )
    except LabelConfigError as error:
        raise InvalidInput(str(error)) from error
    return label_set, label_config_render(label_set)


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
def project_update(*, project, **fields) -> Project:
    labels, label_config = fields.pop("labels", None), fields.pop("label_config", None)
    if labels is not None or label_config is not None:
        label_set, xml = label_set_from_input(
            labels=labels,
            label_config=label_config,
            time_column=fields.get("time_column", project.time_column),
            channels=fields.get("channels", project.channels),
        )
        _check_labels_still_cover_annotations(project, label_set)
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
    return project


def _check_labels_still_cover_annotations(project, label_set):
    from labeler.models import Annotation

    kept = {label["name"] for label in label_set.labels}
    used = set(Annotation.objects.filter(file__project=project).values_list("label", flat=True))
    missing = sorted(used - kept)
    if missing:
        raise InvalidInput(
            "Saved labels use " + ", ".join(missing) + "; keep those labels in the label set.",
            {"labels_in_use": missing},
        )


def project_delete(*, project) -> None:
    from labeler.services.files import file_storage_remove

    storage_keys = list(project.files.values_list("storage_key", flat=True))
    file_ids = list(project.files.values_list("id", flat=True))
    project.delete()
    for storage_key, file_id in zip(storage_keys, file_ids, strict=True):
        file_storage_remove(storage_key=storage_key, file_id=file_id)


def project_member_add(*, project, user, role=ProjectMembership.Role.ANNOTATOR):
    membership, _ = ProjectMembership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership
