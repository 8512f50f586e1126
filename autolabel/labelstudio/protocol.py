"""What Label Studio sends to an ML backend and what it expects back (pure functions).

Label Studio 1.23 sends `project` as "<id>.<created_at unix seconds>" in /setup and /predict,
`project.id` in webhooks, and expects {"results": [one prediction per task, in order]}.
"""

from dataclasses import dataclass, field

TRAIN_EVENTS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATION_DELETED", "START_TRAINING")
DEFAULT_PROJECT = "0"


class ProtocolError(ValueError):
    """A payload Label Studio would never send; the message says what is missing."""


@dataclass(frozen=True)
class SetupRequest:
    project: str
    label_config: str
    hostname: str = ""
    access_token: str = ""


@dataclass(frozen=True)
class PredictRequest:
    project: str
    label_config: str
    tasks: list[dict]


@dataclass(frozen=True)
class WebhookEvent:
    action: str
    project: str
    label_config: str = ""
    task: dict = field(default_factory=dict)

    @property
    def trains(self) -> bool:
        return self.action in TRAIN_EVENTS


def project_key(value) -> str:
    """'12.1700000000' or 12 -> '12'; nothing -> '0' (one model per project, 0 by default)."""
    if value is None or value == "":
        return DEFAULT_PROJECT
    if isinstance(value, dict):
        value = value.get("id")
    key = str(value).split(".", 1)[0].strip()
    if not key.isdigit():
        raise ProtocolError(f"project must be a Label Studio project id, not {value!r}")
    return key


def _body(data) -> dict:
    if not isinstance(data, dict):
        raise ProtocolError("the request body must be a JSON object")
    return data


def setup_request_parse(data) -> SetupRequest:
    data = _body(data)
    schema = data.get("schema") or data.get("label_config")
    if not isinstance(schema, str) or not schema.strip():
        raise ProtocolError("'schema' (the label config XML) is missing")
    return SetupRequest(
        project=project_key(data.get("project")),
        label_config=schema,
        hostname=str(data.get("hostname") or ""),
        access_token=str(data.get("access_token") or ""),
    )


def predict_request_parse(data) -> PredictRequest:
    data = _body(data)
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise ProtocolError("'tasks' must be a list of task objects")
    for task in tasks:
        if not isinstance(task.get("data"), dict):
            raise ProtocolError(f"task {task.get('id')!r} has no 'data' object")
    label_config = data.get("label_config")
    if not isinstance(label_config, str) or not label_config.strip():
        raise ProtocolError("'label_config' is missing")
    project = data.get("project")
    if project in (None, "") and tasks:
        project = tasks[0].get("project")
    return PredictRequest(project=project_key(project), label_config=label_config, tasks=tasks)


def webhook_parse(data) -> WebhookEvent:
    data = _body(data)
    action = data.get("action")
    if not isinstance(action, str) or not action:
        raise ProtocolError("'action' is missing")
    project = data.get("project")
    if project is None and isinstance(data.get("annotation"), dict):
        project = data["annotation"].get("project")
    if action in TRAIN_EVENTS and project is None:
        raise ProtocolError(f"{action} needs a 'project'")
    label_config = project.get("label_config", "") if isinstance(project, dict) else ""
    task = data.get("task") if isinstance(data.get("task"), dict) else {}
    return WebhookEvent(action, project_key(project), label_config or "", task)


def prediction_format(results: list[dict], *, score: float, model_version: str) -> dict:
    return {"result": results, "score": round(float(score), 4), "model_version": model_version}


def predict_response_format(predictions: list[dict]) -> dict:
    return {"results": predictions}
