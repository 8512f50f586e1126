from django.db.models import Q, QuerySet

from autolabel.models import Job, TrainedModel
from labeler.errors import NotFound


def model_list_for_user(*, user) -> QuerySet[TrainedModel]:
    """Models of the user's projects, and the ones they uploaded without a project."""
    return TrainedModel.objects.filter(
        Q(project__memberships__user=user) | Q(project__isnull=True, created_by=user)
    ).distinct()


def model_get_for_user(*, model_id, user) -> TrainedModel:
    model = model_list_for_user(user=user).filter(pk=model_id).first()
    if model is None:
        raise NotFound(f"Model {model_id} does not exist or you may not use it.")
    return model


def model_channels_for_file(model: TrainedModel, series_file) -> list[str]:
    """The file columns a model reads: its own channel names, or (checkpoints of the Label Studio
    example, which name none) the channels the file's project chose."""
    return list(model.channels) or list(series_file.project.channels)


def model_fits_file(model: TrainedModel, series_file) -> bool:
    channels = model_channels_for_file(model, series_file)
    inputs = model.hyperparameters.get("input_size", len(channels))
    return len(channels) == inputs and set(channels) <= set(series_file.channels)


def models_fitting_file(*, user, series_file) -> list[TrainedModel]:
    return [m for m in model_list_for_user(user=user) if model_fits_file(m, series_file)]


def job_get_for_user(*, job_id, user) -> Job:
    job = Job.objects.filter(pk=job_id, project__memberships__user=user).first()
    if job is None:
        raise NotFound(f"Job {job_id} does not exist or you may not see it.")
    return job
