"""Callbacks of the labeling screen, registered by ``register(app)``.

Server callbacks are small: they look the user's project or file up through the selectors
(ids from the browser are never trusted), call one service, and hand the data to the pure
builders in figures.py / state.py. The browser-side glue (clientside callbacks in ui.js)
merges figures, reduces the label store, sends edits one at a time and talks to the websocket.
django-plotly-dash passes ``user`` and ``callback_context`` as keyword arguments.
"""

from __future__ import annotations

import functools
import logging
import time

from dash import ALL, ClientsideFunction, Input, Output, State, html, no_update
from dash import dcc as dash_dcc
from dash.exceptions import PreventUpdate
from django.utils import timezone

from autolabel import jobs as job_services
from autolabel import selectors as model_selectors
from autolabel import services as model_services
from autolabel.models import Job
from autolabel.serializers import job_data
from labeler import selectors
from labeler.dash_ui import figures, ids, state
from labeler.errors import UserError
from labeler.ingest import UNCERTAIN_BELOW
from labeler.serializers import annotation_data
from labeler.services import annotations as annotation_services
from labeler.services import saving
from labeler.working_state import WorkingStateUnavailable, working_state_store

logger = logging.getLogger(__name__)

MAX_LISTED_FILES = 500
DEFAULT_EPOCHS = 30
LABEL_NEXT_LEGEND = f"% = share of rows the last auto-label was under {UNCERTAIN_BELOW:.0%} sure of"


def clientside(app, function_name, output, *inputs, prevent_initial_call=False):
    app.clientside_callback(
        ClientsideFunction(namespace="tsl", function_name=function_name),
        output,
        *inputs,
        prevent_initial_call=prevent_initial_call,
    )


def keeps_screen_when_not_found(func):
    """A project, file or model the user may not see (a tampered id, or deleted meanwhile)
    leaves the screen as it is: no data, and no server error."""

    @functools.wraps(func)
    def callback(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as error:
            logger.info("%s: %s", func.__name__, error.message)
            raise PreventUpdate from None

    return callback


def _triggered(callback_context) -> set[str]:
    """Component ids that triggered the call (dict ids as their JSON text)."""
    found = set()
    for item in getattr(callback_context, "triggered", None) or []:
        prop_id = item.get("prop_id", "")
        found.add(prop_id.rsplit(".", 1)[0])
    return found


def _message(text: str, level: str = "info", **extra) -> dict:
    return {"message": text, "level": level, "ts": time.time(), **extra}


def project_meta(project) -> dict:
    return {"id": project.id, "name": project.name, "labels": project.labels}


def file_snapshot(series_file) -> dict:
    """The screen's form of a file's working state (records that cannot be shown are left
    out, as the API and Save leave them out)."""
    file_state, _skipped = annotation_services.working_state_checked(series_file=series_file)
    return state.store_snapshot(
        file_id=series_file.id,
        version=file_state.version,
        saved_version=series_file.saved_version,
        annotations=[annotation_data(a) for a in file_state.annotations.values()],
    )


def file_meta(series_file) -> dict:
    return {
        "id": series_file.id,
        "project": series_file.project_id,
        "name": series_file.name,
        "rows": series_file.rows,
        "channels": series_file.channels,
        "time_kind": series_file.time_kind,
        "time_column": series_file.time_column,
        "time_start": series_file.time_start,
        "time_end": series_file.time_end,
        "sampling_rate": series_file.sampling_rate,
        "warnings": series_file.warnings,
        "display_timezone": series_file.display_timezone,
        # an auto-label run kept its confidence (the confidence strip asks for it)
        "has_confidence": series_file.uncertain_share is not None,
    }


def register(app):
    _register_selection(app)
    _register_plot(app)
    _register_labels(app)
    _register_files(app)
    _register_models(app)
    _register_clientside(app)


# ---- project and file from the address bar


def _register_selection(app):
    @app.callback(
        Output(ids.PROJECT_STORE, "data"),
        Output(ids.FILE_STORE, "data"),
        Output(ids.PROJECT_SELECT, "options"),
        Output(ids.PROJECT_SELECT, "value"),
        Input(ids.URL, "search"),
    )
    def selection_from_url(search, *, user):
        projects = list(selectors.project_list_for_user(user=user).order_by("name"))
        options = [{"label": p.name, "value": p.id} for p in projects]
        project_id, file_id = state.selection_from_query(search)
        series_file = None
        if file_id is not None:
            try:
                series_file = selectors.file_get_for_user(file_id=file_id, user=user)
            except UserError:
                series_file = None
        if series_file is not None and project_id is None:
            project_id = series_file.project_id
        project = next((p for p in projects if p.id == project_id), None)
        if project is None:
            project = projects[0] if projects else None
        if project is None or (series_file and series_file.project_id != project.id):
            series_file = None
        return (
            project_meta(project) if project else None,
            file_meta(series_file) if series_file else None,
            options,
            project.id if project else None,
        )

    @app.callback(
        Output(ids.WORKSPACE, "style"),
        Output(ids.EMPTY_HINT, "style"),
        Output(ids.FILE_TITLE, "children"),
        Input(ids.FILE_STORE, "data"),
    )
    def workspace_visibility(meta):
        if not meta:
            return {"display": "none"}, {}, ""
        return {}, {"display": "none"}, meta["name"]


# ---- the plot: its axes and traces; the data windows and the labels are drawn by the browser
# (plotview.js), one binary window per view change


def _register_plot(app):
    @app.callback(
        Output(ids.BASE_FIGURE, "data"),
        Input(ids.FILE_STORE, "data"),
        Input(ids.LAYOUT_MODE, "value"),
    )
    def series_layout(meta, mode):
        if not meta:
            return None
        figure = figures.series_figure(file_meta=meta, mode=mode, view=state.full_range(meta))
        fields = ("time_kind", "time_start", "time_end", "rows")
        return {
            "file": meta["id"],
            "mode": mode,
            "figure": figure,
            **{field: meta[field] for field in fields},
        }


# ---- labels: load, edit, table


def _register_labels(app):
    @app.callback(
        Output(ids.LOAD_RESULT, "data"),
        Input(ids.FILE_STORE, "data"),
        Input(ids.RELOAD, "data"),
        Input(ids.JOB_FINISHED, "data"),
        Input(ids.SAVE_RESULT, "data"),
        Input(ids.SAVE_ALL_RESULT, "data"),
    )
    @keeps_screen_when_not_found
    def annotations_load(meta, reload, job_finished, saved, saved_all, *, user):
        if not meta:
            return None
        series_file = selectors.file_get_for_user(file_id=meta["id"], user=user)
        try:
            return {"snapshot": file_snapshot(series_file), "ts": time.time()}
        except WorkingStateUnavailable:
            return _message("The label store is unreachable: labels cannot be shown.", "error")

    @app.callback(
        Output(ids.ANNOTATION_TABLE, "columns"),
        Output(ids.ANNOTATION_TABLE, "dropdown"),
        Input(ids.FILE_STORE, "data"),
        State(ids.PROJECT_STORE, "data"),
    )
    def table_columns(meta, project):
        if not meta:
            return [], {}
        bound_type = "text" if meta["time_kind"] == "datetime" else "numeric"
        names = [label["name"] for label in (project or {}).get("labels", [])]
        columns = [
            {"name": "Label", "id": "label", "presentation": "dropdown", "editable": True},
            {"name": "Start", "id": "start", "type": bound_type, "editable": True},
            {"name": "End", "id": "end", "type": bound_type, "editable": True},
            {"name": "Kind", "id": "kind", "editable": False},
            {"name": "Description", "id": "description", "editable": True},
            {"name": "Source", "id": "source", "editable": False},
            {
                "name": "Score",
                "id": "score",
                "type": "numeric",
                "editable": False,
                "format": {"specifier": ".0%"},
            },
        ]
        dropdown = {
            "label": {"options": [{"label": n, "value": n} for n in names], "clearable": False}
        }
        return columns, dropdown

    @app.callback(
        Output(ids.ANNOTATION_TABLE, "data"),
        Output(ids.ANNOTATION_TABLE, "selected_rows"),
        Output(ids.TABLE_SUMMARY, "children"),
        Input(ids.ANNOTATIONS, "data"),
        State(ids.FILE_STORE, "data"),
        State(ids.ANNOTATION_TABLE, "selected_row_ids"),
    )
    def table_data(store, meta, selected_ids):
        if not meta or not store or store.get("file") != meta["id"]:
            return [], [], ""
        rows = state.table_rows(store, meta["time_kind"])
        # Row ticks follow the labels, not their positions (a new label shifts the rows).
        ticked = set(selected_ids or [])
        selected_rows = [position for position, row in enumerate(rows) if row["id"] in ticked]
        models = sum(1 for row in rows if row["source"] != "manual")
        summary = f"{len(rows)} label{'s' if len(rows) != 1 else ''}"
        if models:
            summary += f" · {models} from a model (dashed, italic): Keep or edit them"
        return rows, selected_rows, summary

    @app.callback(
        Output(ids.LABEL_PICKER, "children"),
        Input(ids.PROJECT_STORE, "data"),
    )
    def label_picker(project):
        buttons = []
        for label in (project or {}).get("labels", []):
            hotkey = label.get("hotkey") or ""
            buttons.append(
                html.Button(
                    [html.Span(hotkey, className="tsl-hotkey") if hotkey else None, label["name"]],
                    id=ids.label_button(label["name"]),
                    className="tsl-label-btn",
                    title=f"{label['name']} ({label.get('kind', 'both')})"
                    + (f" · key {hotkey}" if hotkey else ""),
                    style={"--label-color": label.get("color") or figures.FALLBACK_LABEL_COLOR},
                    **{
                        "data-label": label["name"],
                        "data-hotkey": hotkey,
                        "data-kind": label.get("kind", "both"),
                    },
                )
            )
        return buttons


# ---- files: list, label next, save, save all, download


def _register_files(app):
    @app.callback(
        Output(ids.FILE_LIST, "children"),
        Input(ids.PROJECT_STORE, "data"),
        Input(ids.FILE_SEARCH, "value"),
        Input(ids.FILES_REFRESH, "data"),
        Input(ids.SAVE_RESULT, "data"),
        Input(ids.SAVE_ALL_RESULT, "data"),
        Input(ids.FILE_STORE, "data"),
    )
    @keeps_screen_when_not_found
    def file_list(project, search, refresh, saved, saved_all, meta, *, user):
        if not project:
            return html.Div("No project yet: ask an owner to add you.", className="tsl-muted")
        project_obj = selectors.project_get_for_user(project_id=project["id"], user=user)
        files = selectors.file_list_for_project(project=project_obj)
        if search:
            files = files.filter(name__icontains=search.strip())
        files = list(files[: MAX_LISTED_FILES + 1])
        if not files:
            text = "No file matches." if search else "No files yet: Upload CSV Data!"
            return html.Div(text, className="tsl-muted tsl-pad")
        listed = files[:MAX_LISTED_FILES]
        versions = _working_versions(listed)
        current_id = (meta or {}).get("id")
        items = [_file_item(f, project["id"], current_id, versions) for f in listed]
        if versions is None:
            note = "Unsaved changes unknown: the working state is unreachable."
            items.insert(0, html.Div(note, className="tsl-muted"))
        if len(files) > MAX_LISTED_FILES:
            items.append(html.Div("More files: refine the search.", className="tsl-muted"))
        return items

    @app.callback(
        Output(ids.LABEL_NEXT, "children"),
        Input(ids.PROJECT_STORE, "data"),
        Input(ids.JOB_FINISHED, "data"),
        Input(ids.SAVE_RESULT, "data"),
        Input(ids.SAVE_ALL_RESULT, "data"),
    )
    @keeps_screen_when_not_found
    def label_next(project, job_finished, saved, saved_all, *, user):
        if not project:
            return None
        project_obj = selectors.project_get_for_user(project_id=project["id"], user=user)
        files = list(selectors.files_to_label_next(project=project_obj)[:5])
        if not files:
            return None
        items = [
            dash_dcc.Link(
                [
                    html.Span(f.name, className="tsl-file-name"),
                    html.Span(
                        state.label_next_score(f.uncertain_share, f.uncertainty),
                        className="tsl-badge tsl-badge-soft",
                        title=LABEL_NEXT_LEGEND,
                    ),
                ],
                href=f"?project={project['id']}&file={f.id}",
                className="tsl-file",
            )
            for f in files
        ]
        return [
            html.Div(
                [
                    html.Span("Label next", className="tsl-section-title"),
                    html.Span(" unlabeled, least certain first", className="tsl-muted small"),
                ],
                className="tsl-label-next-head",
            ),
            *items,
            html.Div(LABEL_NEXT_LEGEND, className="tsl-muted small tsl-label-next-legend"),
        ]

    @app.callback(
        Output(ids.SAVE_RESULT, "data"),
        Input(ids.SAVE_BUTTON, "n_clicks"),
        State(ids.FILE_STORE, "data"),
        prevent_initial_call=True,
    )
    def save_file(n_clicks, meta, *, user):
        if not meta:
            return _message("Open a file first.", "warning")
        try:
            series_file = selectors.file_get_for_user(file_id=meta["id"], user=user)
            saved = saving.file_save(series_file=series_file, user=user)
        except WorkingStateUnavailable:
            return _message("The label store is unreachable: nothing was saved.", "error")
        except UserError as error:
            return _message(error.message, "error")
        count = saved["annotations"]
        return _message(
            f"Saved {count} label{'s' if count != 1 else ''} of {saved['name']}: "
            + ", ".join(saved["outputs"]),
            "success",
            saved=saved,
        )

    @app.callback(
        Output(ids.SAVE_ALL_RESULT, "data"),
        Input(ids.SAVE_ALL_BUTTON, "n_clicks"),
        State(ids.PROJECT_STORE, "data"),
        prevent_initial_call=True,
    )
    def save_all(n_clicks, project, *, user):
        if not project:
            return _message("Choose a project first.", "warning")
        try:
            project_obj = selectors.project_get_for_user(project_id=project["id"], user=user)
            saved = saving.project_save_all(project=project_obj, user=user)
        except WorkingStateUnavailable:
            return _message("The label store is unreachable: nothing was saved.", "error")
        except UserError as error:
            return _message(error.message, "error")
        if not saved:
            return _message("Nothing to save: every file is saved.", "info", saved=[])
        names = ", ".join(s["name"] for s in saved[:5]) + ("…" if len(saved) > 5 else "")
        return _message(
            f"Saved {len(saved)} file{'s' if len(saved) != 1 else ''}: {names}",
            "success",
            saved=[s["file"] for s in saved],
        )

    @app.callback(
        Output(ids.DOWNLOAD_LIST, "options"),
        Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.PROJECT_STORE, "data"),
        prevent_initial_call=True,
    )
    @keeps_screen_when_not_found
    def download_options(n_clicks, project, *, user):
        if not project:
            return []
        project_obj = selectors.project_get_for_user(project_id=project["id"], user=user)
        saved = project_obj.files.filter(saved_at__isnull=False).order_by("name")
        return [
            {
                "label": html.Span(
                    [
                        html.Span(f.name, className="tsl-file-name"),
                        html.Span(
                            f"saved {timezone.localtime(f.saved_at):%Y-%m-%d %H:%M}",
                            className="tsl-muted small",
                        ),
                    ]
                ),
                "value": f.id,
            }
            for f in saved
        ]


def _working_versions(files) -> dict[int, int] | None:
    """Each file's working-state version, or None when the working state cannot be reached."""
    store = working_state_store()
    try:
        return {f.id: store.version(f.id) for f in files}
    except WorkingStateUnavailable:
        return None


def _file_item(series_file, project_id, current_id, versions):
    count = series_file.saved_label_count
    if versions is None:
        unsaved = "unknown"
        marker = html.Span("?", className="tsl-dot", title="unsaved changes unknown")
    elif versions[series_file.id] not in (0, series_file.saved_version):
        unsaved = "1"
        marker = html.Span("●", className="tsl-dot tsl-dot-unsaved", title="unsaved changes")
    elif series_file.saved_at:
        unsaved = "0"
        marker = html.Span("✓", className="tsl-dot tsl-dot-saved", title="saved")
    else:
        unsaved = "0"
        marker = html.Span("", className="tsl-dot")
    classes = "tsl-file" + (" is-current" if series_file.id == current_id else "")
    return html.Div(
        dash_dcc.Link(
            [
                html.Span(series_file.name, className="tsl-file-name", title=series_file.name),
                html.Span(
                    [
                        html.Span(
                            str(count),
                            className="tsl-badge",
                            title=f"{count} saved label{'s' if count != 1 else ''}",
                        ),
                        marker,
                    ],
                    className="tsl-file-meta",
                ),
            ],
            href=f"?project={project_id}&file={series_file.id}",
            className=classes,
        ),
        **{"data-file-id": series_file.id, "data-unsaved": unsaved},
    )


# ---- models: choose, auto-label, train, follow the job


def _register_models(app):
    @app.callback(
        Output(ids.MODEL_SELECT, "options"),
        Output(ids.MODEL_SELECT, "value"),
        Input(ids.FILE_STORE, "data"),
        Input(ids.MODELS_REFRESH, "data"),
        Input(ids.JOB_FINISHED, "data"),
        State(ids.MODEL_SELECT, "value"),
    )
    @keeps_screen_when_not_found
    def model_options(meta, refresh, job_finished, current, *, user):
        if not meta:
            return [], None
        series_file = selectors.file_get_for_user(file_id=meta["id"], user=user)
        models = model_selectors.models_fitting_file(user=user, series_file=series_file)
        options = [
            {
                "label": f"{m.name} · {', '.join(m.labels[:3])}{'…' if len(m.labels) > 3 else ''}",
                "value": m.id,
            }
            for m in models
        ]
        values = [o["value"] for o in options]
        wanted = (refresh or {}).get("select")
        news = (job_finished or {}).get("last") or {}
        if news.get("kind") == Job.Kind.TRAIN and news.get("status") == Job.Status.SUCCEEDED:
            wanted = news.get("model") if wanted is None else wanted
        if wanted in values:
            return options, wanted
        return options, current if current in values else (values[0] if values else None)

    @app.callback(
        Output(ids.AUTOLABEL_JOB, "data"),
        Input(ids.AUTOLABEL_BUTTON, "n_clicks"),
        State(ids.MODEL_SELECT, "value"),
        State(ids.FILE_STORE, "data"),
        prevent_initial_call=True,
    )
    def autolabel_start(n_clicks, model_id, meta, *, user):
        if not meta:
            return _message("Open a file first.", "warning")
        if not model_id:
            return _message("Select a model first (or upload one with +).", "warning")
        try:
            series_file = selectors.file_get_for_user(file_id=meta["id"], user=user)
            model = model_selectors.model_get_for_user(model_id=model_id, user=user)
            job = model_services.autolabel_start(series_file=series_file, model=model, user=user)
        except UserError as error:
            return _message(error.message, "error")
        return _message(f"Auto-labeling {series_file.name} with {model.name}…", "info", id=job.id)

    @app.callback(
        Output(ids.TRAIN_JOB, "data"),
        Input(ids.TRAIN_BUTTON, "n_clicks"),
        State(ids.TRAIN_NAME, "value"),
        State(ids.TRAIN_EPOCHS, "value"),
        State(ids.PROJECT_STORE, "data"),
        prevent_initial_call=True,
    )
    def train_start(n_clicks, name, epochs, project, *, user):
        if not project:
            return _message("Choose a project first.", "warning")
        try:
            epochs = DEFAULT_EPOCHS if epochs in (None, "") else int(epochs)
        except (TypeError, ValueError):
            return _message("Epochs must be a whole number.", "error")
        if not 1 <= epochs <= 1000:
            return _message("Epochs must be between 1 and 1000.", "error")
        name = (name or "").strip()[:200] or f"{project['name']} {timezone.now():%Y-%m-%d %H:%M}"
        try:
            project_obj = selectors.project_get_for_user(project_id=project["id"], user=user)
            job = model_services.training_start(
                project=project_obj, user=user, params={"name": name, "train_epochs": epochs}
            )
        except UserError as error:
            return _message(error.message, "error")
        return _message(f"Training “{name}” ({epochs} epochs) queued.", "info", id=job.id)

    @app.callback(
        Output(ids.JOB_STATUS, "children"),
        Output(ids.TRAINING_CURVES, "figure"),
        Output(ids.TRAINING_CURVES, "style"),
        Output(ids.JOB_CANCEL, "style"),
        Output(ids.JOB_POLL, "disabled"),
        Output(ids.JOB_FINISHED, "data"),
        Input(ids.JOB_POLL, "n_intervals"),
        Input(ids.AUTOLABEL_JOB, "data"),
        Input(ids.TRAIN_JOB, "data"),
        Input(ids.PROJECT_STORE, "data"),
        State(ids.JOB_FINISHED, "data"),
    )
    def job_poll(n_intervals, autolabel_job, train_job, project, finished, *, user):
        finished = finished or {"seen": []}
        seen = set(finished.get("seen", []))
        shown = []
        for stored in (train_job, autolabel_job):
            job = _job_for_user(stored, user)
            if job is not None:
                shown.append(job)
        if project and not any(j.kind == Job.Kind.TRAIN for j in shown):
            latest = Job.objects.filter(
                project_id=project["id"],
                kind=Job.Kind.TRAIN,
                project__memberships__user=user,
            ).first()
            if latest is not None:
                seen.add(latest.id)  # shown as it is: no "finished" news for an old job
                shown.insert(0, latest)
        if any(j.status == Job.Status.RUNNING for j in shown):
            job_services.jobs_reap()
            for job in shown:
                job.refresh_from_db()
        news = None
        for job in shown:
            if job.is_finished and job.id not in seen:
                seen.add(job.id)
                news = _job_news(job)
        running = [j for j in shown if not j.is_finished]
        train = next((j for j in shown if j.kind == Job.Kind.TRAIN), None)
        curves, curves_style = no_update, {"display": "none"}
        history = ((train.metrics or {}).get("history") or []) if train else []
        if history:
            curves = figures.training_figure(history, total_epochs=_planned_epochs(train))
            curves_style = _curves_style(running=not train.is_finished)
        finished_data = {"seen": sorted(seen), "last": news} if news else no_update
        if news is None and seen != set(finished.get("seen", [])):
            finished_data = {"seen": sorted(seen), "last": finished.get("last")}
        return (
            [_job_card(job) for job in shown],
            curves,
            curves_style,
            {} if running else {"display": "none"},
            not running,
            finished_data,
        )

    @app.callback(
        Output(ids.JOB_CANCEL_RESULT, "data"),
        Input(ids.JOB_CANCEL, "n_clicks"),
        State(ids.AUTOLABEL_JOB, "data"),
        State(ids.TRAIN_JOB, "data"),
        prevent_initial_call=True,
    )
    def job_cancel(n_clicks, autolabel_job, train_job, *, user):
        cancelled = 0
        for stored in (train_job, autolabel_job):
            job = _job_for_user(stored, user)
            if job is not None and not job.is_finished:
                try:
                    job_services.job_cancel(job=job, user=user)
                except UserError as error:
                    return _message(error.message, "error")
                cancelled += 1
        return _message("Cancelling…" if cancelled else "No running job.", "info")


def _job_for_user(stored, user):
    if not stored or not stored.get("id"):
        return None
    try:
        return model_selectors.job_get_for_user(job_id=stored["id"], user=user)
    except UserError:
        return None


def _job_news(job) -> dict:
    data = job_data(job)
    if job.status == Job.Status.SUCCEEDED:
        if job.kind == Job.Kind.TRAIN:
            text = f"Training finished: model “{job.params.get('name', '')}” is ready."
        else:
            text = "Auto-label finished: model labels are shown dashed, with scores."
        level = "success"
    elif job.status == Job.Status.CANCELLED:
        text, level = f"{job.get_kind_display()} job cancelled.", "warning"
    else:
        text, level = f"{job.get_kind_display()} job failed: {job.error}", "error"
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "file": data.get("file"),
        "model": (job.result or {}).get("model"),
        "message": text,
        "level": level,
        "ts": time.time(),
    }


def _job_card(job):
    metrics = job.metrics or {}
    if job.kind == Job.Kind.TRAIN:
        title = f"Training “{job.params.get('name', '')}”"
        if metrics.get("message") and not job.is_finished:
            title += f" · {metrics['message']}"
        elif metrics.get("epoch") and metrics.get("total_epochs"):  # jobs of earlier versions
            title += f" · epoch {metrics['epoch']}/{metrics['total_epochs']}"
    else:
        title = f"Auto-label · {job.model.name if job.model else 'model'}"
    status_class = f"tsl-job tsl-job-{job.status}"
    children = [
        html.Div(
            [
                html.Span(title, className="tsl-job-title"),
                html.Span(job.status, className="tsl-job-status"),
            ],
            className="tsl-job-head",
        ),
        html.Progress(value=str(round(job.progress or 0)), max="100", className="tsl-progress"),
        html.Span(f"{job.progress or 0:.0f}%", className="tsl-muted small"),
    ]
    if job.error:
        children.append(html.Div(job.error, className="tsl-job-error"))
    validation = ((job.result or {}).get("metrics") or {}).get("validation")
    if job.status == Job.Status.SUCCEEDED and isinstance(validation, dict):
        summary = ", ".join(
            f"{key.replace('_', ' ')} {_unrounded(value)}"
            for key, value in validation.items()
            if isinstance(value, float) and key in ("balanced_accuracy", "min_class_f1", "macro_f1")
        )
        if summary:
            children.append(html.Div(f"validation: {summary}", className="tsl-muted small"))
    return html.Div(children, className=status_class, **{"data-job-id": job.id})


def _unrounded(value: float) -> str:
    """Six significant digits: 0.998765 stays 0.998765 (two decimals would show 1.00)."""
    return f"{value:.6g}"


def _planned_epochs(job) -> int | None:
    """Where the curves' x axis ends: the epochs so far plus those the phase may still run."""
    metrics = job.metrics or {}
    history = metrics.get("history") or []
    if job.is_finished or not history:
        return None
    left = max(0, (metrics.get("phase_epochs") or 0) - (metrics.get("epoch") or 0))
    return history[-1].get("epoch", 0) + left


def _curves_style(*, running: bool) -> dict:
    """While a training runs its curves float beside the models panel, wide enough to read;
    afterwards they sit in the panel."""
    if not running:
        return {}
    return {
        "position": "fixed",
        "right": "290px",
        "bottom": "16px",
        "width": f"{figures.TRAINING_FIGURE_MIN_WIDTH}px",
        "height": "280px",
        "zIndex": 30,
        "background": "white",
        "border": "1px solid #e2e8f0",
        "borderRadius": "8px",
        "boxShadow": "0 6px 24px rgba(15, 23, 42, 0.15)",
    }


def _register_clientside(app):
    clientside(
        app,
        "mergeFigure",
        Output(ids.GRAPH, "figure"),
        Input(ids.BASE_FIGURE, "data"),
        Input(ids.ANNOTATIONS, "data"),
        Input(ids.SELECTED, "data"),
        Input(ids.PROJECT_STORE, "data"),
    )
    clientside(
        app,
        "labelsLoaded",
        Output(ids.ANNOTATIONS, "data"),
        Input(ids.LOAD_RESULT, "data"),
        State(ids.FILE_STORE, "data"),
    )
    clientside(
        app,
        "syncContext",
        Output(ids.sink("context"), "data"),
        Input(ids.FILE_STORE, "data"),
        Input(ids.PROJECT_STORE, "data"),
        Input(ids.ACTIVE_LABEL, "data"),
        Input(ids.ANNOTATIONS, "data"),
        Input(ids.SELECTED, "data"),
        Input(ids.VIEW_STORE, "data"),
        Input(ids.ANNOTATION_TABLE, "selected_row_ids"),
    )
    clientside(
        app,
        "fileStatus",
        Output(ids.FILE_STATUS, "children"),
        Input(ids.ANNOTATIONS, "data"),
        Input(ids.VIEW_STORE, "data"),
        State(ids.FILE_STORE, "data"),
    )
    clientside(
        app,
        "navigateProject",
        Output(ids.sink("navigate"), "data"),
        Input(ids.PROJECT_SELECT, "value"),
        State(ids.PROJECT_STORE, "data"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "activeLabel",
        Output(ids.ACTIVE_LABEL, "data"),
        Input({"type": "label-button", "index": ALL}, "n_clicks"),
        Input(ids.PROJECT_STORE, "data"),
        State(ids.ACTIVE_LABEL, "data"),
    )
    clientside(
        app,
        "labelButtonClasses",
        Output({"type": "label-button", "index": ALL}, "className"),
        Input(ids.ACTIVE_LABEL, "data"),
        State({"type": "label-button", "index": ALL}, "id"),
    )
    clientside(
        app,
        "selectionDescription",
        Output(ids.DESCRIPTION_INPUT, "value"),
        Output(ids.DESCRIPTION_INPUT, "placeholder"),
        Output(ids.DESCRIPTION_HINT, "children"),
        Input(ids.SELECTED, "data"),
        State(ids.ANNOTATIONS, "data"),
        State(ids.FILE_STORE, "data"),
    )
    clientside(
        app,
        "tableEdited",
        Output(ids.sink("table-edit"), "data"),
        Input(ids.ANNOTATION_TABLE, "data_timestamp"),
        State(ids.ANNOTATION_TABLE, "data"),
        State(ids.ANNOTATION_TABLE, "data_previous"),
        State(ids.ANNOTATIONS, "data"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "selectedRowStyle",
        Output(ids.ANNOTATION_TABLE, "style_data_conditional"),
        Input(ids.SELECTED, "data"),
        State(ids.ANNOTATION_TABLE, "style_data_conditional"),
    )
    clientside(
        app,
        "tableOrderShown",
        Output(ids.sink("table-order"), "data"),
        Input(ids.ANNOTATION_TABLE, "derived_virtual_row_ids"),
    )
    clientside(
        app,
        "tableRowClicked",
        Output(ids.SELECTED, "data"),
        Input(ids.ANNOTATION_TABLE, "active_cell"),
        State(ids.ANNOTATIONS, "data"),
        State(ids.FILE_STORE, "data"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "toastResults",
        Output(ids.sink("toast"), "data"),
        Input(ids.SAVE_RESULT, "data"),
        Input(ids.SAVE_ALL_RESULT, "data"),
        Input(ids.AUTOLABEL_JOB, "data"),
        Input(ids.TRAIN_JOB, "data"),
        Input(ids.JOB_FINISHED, "data"),
        Input(ids.LOAD_RESULT, "data"),
        Input(ids.JOB_CANCEL_RESULT, "data"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "confidenceJobFinished",
        Output(ids.sink("confidence"), "data"),
        Input(ids.JOB_FINISHED, "data"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "downloadDialog",
        Output(ids.DOWNLOAD_DIALOG, "hidden"),
        Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
        Input(ids.DOWNLOAD_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "downloadSelectAll",
        Output(ids.DOWNLOAD_LIST, "value"),
        Input(ids.DOWNLOAD_ALL, "n_clicks"),
        Input(ids.DOWNLOAD_LIST, "options"),
        prevent_initial_call=True,
    )
    clientside(
        app,
        "downloadZip",
        Output(ids.sink("download"), "data"),
        Input(ids.DOWNLOAD_CONFIRM, "n_clicks"),
        State(ids.DOWNLOAD_LIST, "value"),
        State(ids.PROJECT_STORE, "data"),
        prevent_initial_call=True,
    )
