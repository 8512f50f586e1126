"""Who may do what in a project (docs/decisions.md, "Roles"): one table, checked by the
services before they write."""

from enum import StrEnum

from labeler.errors import Forbidden
from labeler.models import ProjectMembership

Role = ProjectMembership.Role


class Action(StrEnum):
    PROJECT_CHANGE = "change the project's settings and labels"
    PROJECT_DELETE = "delete the project"
    MEMBERS_MANAGE = "add members or change their roles"
    FILES_UPLOAD = "upload or import files"
    FILES_DELETE = "delete files"
    LABELS_EDIT = "edit labels"
    SAVE = "save"
    TRAIN = "train models"
    AUTOLABEL = "auto-label files"
    MODELS_UPLOAD = "upload models"
    MODELS_DELETE = "delete models"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.ANNOTATOR: frozenset(
        {
            Action.FILES_UPLOAD,
            Action.LABELS_EDIT,
            Action.SAVE,
            Action.TRAIN,
            Action.AUTOLABEL,
            Action.MODELS_UPLOAD,
        }
    ),
    Role.REVIEWER: frozenset({Action.LABELS_EDIT, Action.SAVE}),
}


def project_permission_check(*, project, user, action: Action) -> None:
    """Forbidden (403, with the reason) unless the user's role in the project allows action."""
    membership = ProjectMembership.objects.filter(project=project, user=user).first()
    if membership is None:
        raise Forbidden(f"Only members of the project may {action}.", {"action": action.name})
    if action not in ROLE_ACTIONS[membership.role]:
        raise Forbidden(
            f"A project {membership.role} may not {action}.",
            {"role": membership.role, "action": action.name},
        )
