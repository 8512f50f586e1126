"""The Dash app through the Django test client: the page and its layout are served to a
logged-in user only, callbacks answer with that user's data, and the callback view refuses a
POST without the CSRF token (403) or without a login."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from labeler.dash_ui import ids

APP = "/django_plotly_dash/app/labeler"
UPDATE = f"{APP}/_dash-update-component"
STABLE_IDS = [
    "upload",
    "file-list",
    "graph",
    "label-picker",
    "annotation-table",
    "save-button",
    "save-all-button",
    "download-button",
    "download-confirm",
    "model-select",
    "model-upload",
    "autolabel-button",
    "train-button",
    "job-progress",
]


@pytest.fixture
def browser_client(user):
    """A logged-in client that checks CSRF like a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    client.csrf_token = client.cookies["_csrf_token"].value
    return client


def selection_request(search: str) -> dict:
    outputs = [
        (ids.PROJECT_STORE, "data"),
        (ids.FILE_STORE, "data"),
        (ids.PROJECT_SELECT, "options"),
        (ids.PROJECT_SELECT, "value"),
    ]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": ids.URL, "property": "search", "value": search}],
        "changedPropIds": [f"{ids.URL}.search"],
        "state": [],
    }


def post_callback(client, body, token=None):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return client.post(UPDATE, json.dumps(body), content_type="application/json", **headers)


def test_the_screen_needs_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")
    for path in (f"{APP}/_dash-layout", f"{APP}/_dash-dependencies"):
        assert client.get(path).status_code in (302, 403)


def test_login_page_logs_in_and_leads_to_the_screen(db, user):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/?next=/")
    assert page.status_code == 200 and b'name="username"' in page.content
    token = client.cookies["_csrf_token"].value
    response = client.post(
        "/accounts/login/",
        {
            "username": "alice",
            "password": "secret-pass-123",
            "next": "/",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_page_embeds_the_dash_app_with_local_bundles(browser_client):
    page = browser_client.get("/").content.decode()
    assert 'id="react-entry-point"' in page
    assert f'"requests_pathname_prefix": "{APP}/"' in page or f"{APP}/" in page
    assert "DashRenderer" in page
    assert "cdn.plot.ly" not in page and "unpkg.com" not in page  # served locally
    assert 'id="upload"' in page and 'type="file"' in page and "webkitdirectory" in page
    assert "labeler/ui.js" in page


def test_layout_has_every_stable_id(browser_client):
    layout = browser_client.get(f"{APP}/_dash-layout")
    assert layout.status_code == 200
    found = set()

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props.get("id"), str):
                found.add(props["id"])
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(layout.json())
    page = browser_client.get("/").content.decode()
    missing = [i for i in STABLE_IDS if i not in found and f'id="{i}"' not in page]
    assert missing == []


def test_dependencies_list_the_callbacks(browser_client):
    dependencies = browser_client.get(f"{APP}/_dash-dependencies").json()
    outputs = {d["output"] for d in dependencies}
    assert "graph.figure" in outputs
    assert any("annotation-table.data" in o for o in outputs)


def test_no_callback_writes_labels(browser_client):
    """Labels are written through the REST API only: no Dash callback takes an edit."""
    dependencies = browser_client.get(f"{APP}/_dash-dependencies").json()
    inputs = {i["id"] for d in dependencies for i in d["inputs"] if isinstance(i["id"], str)}
    assert not inputs & {"edit-request", "history-store", "ws-inbox"}
    server_outputs = [d["output"] for d in dependencies if not d.get("clientside_function")]
    assert not any(ids.ANNOTATIONS in o for o in server_outputs)


def test_a_callback_answers_the_logged_in_users_projects(browser_client, project, other_file):
    response = post_callback(
        browser_client, selection_request(f"?project={project.id}"), browser_client.csrf_token
    )
    assert response.status_code == 200, response.content
    answer = response.json()["response"]
    assert answer[ids.PROJECT_STORE]["data"]["name"] == "Gait"
    assert [o["label"] for o in answer[ids.PROJECT_SELECT]["options"]] == ["Gait"]  # not Secret


def test_ids_from_the_browser_are_checked_against_membership(browser_client, project, other_file):
    search = f"?project={other_file.project_id}&file={other_file.id}"
    response = post_callback(browser_client, selection_request(search), browser_client.csrf_token)
    answer = response.json()["response"]
    assert answer[ids.FILE_STORE]["data"] is None
    assert answer[ids.PROJECT_STORE]["data"]["id"] == project.id  # their own project instead


def test_forged_callback_post_without_the_token_is_refused(browser_client, project):
    response = post_callback(browser_client, selection_request(f"?project={project.id}"))
    assert response.status_code == 403
    wrong = post_callback(browser_client, selection_request(""), "x" * 32)
    assert wrong.status_code == 403


def test_callbacks_refuse_anonymous_users(db, project):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # a CSRF cookie, but no session
    token = client.cookies["_csrf_token"].value
    response = post_callback(client, selection_request(""), token)
    assert response.status_code == 403


def test_the_screens_session_writes_through_the_changes_endpoint_with_csrf(
    browser_client, series_file
):
    from labeler.working_state import working_state_store

    url = f"/api/files/{series_file.id}/changes/"
    body = {
        "changes": [
            {
                "op": "create",
                "id": "contract-label-1",
                "snap": True,
                "annotation": {"label": "Walk", "start": 2.0, "end": 4.5},
            }
        ]
    }
    refused = browser_client.post(url, body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token: a forged cross-site request
    response = browser_client.post(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=browser_client.csrf_token
    )
    assert response.status_code == 200, response.content
    stored = working_state_store().get(series_file.id).annotations["contract-label-1"]
    assert (stored["start"], stored["end"], stored["author"]) == (2.0, 4.5, "alice")


def test_callback_does_not_rewrite_the_session_every_time(browser_client, project):
    from django.contrib.sessions.models import Session

    post_callback(browser_client, selection_request(""), browser_client.csrf_token)
    session = Session.objects.get()
    before = session.expire_date
    post_callback(browser_client, selection_request(""), browser_client.csrf_token)
    assert Session.objects.get().expire_date == before


def test_dash_bundles_are_redirected_to_static_files(browser_client):
    response = browser_client.get(
        f"{APP}/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/static/dash/component/dash/")


def test_points_of_a_file_of_another_project_are_not_sent(browser_client, project, other_file):
    """The plot's callback lays out axes from what the browser sent and reads no data; the
    points come from the data endpoint, which answers only for the user's files."""
    meta = {
        "id": other_file.id,
        "channels": other_file.channels,
        "time_kind": other_file.time_kind,
        "time_start": other_file.time_start,
        "time_end": other_file.time_end,
        "rows": other_file.rows,
    }
    body = {
        "output": f"{ids.BASE_FIGURE}.data",
        "outputs": {"id": ids.BASE_FIGURE, "property": "data"},
        "inputs": [
            {"id": ids.FILE_STORE, "property": "data", "value": meta},
            {"id": ids.LAYOUT_MODE, "property": "value", "value": "stacked"},
        ],
        "changedPropIds": [f"{ids.FILE_STORE}.data"],
    }
    response = post_callback(browser_client, body, browser_client.csrf_token)
    assert response.status_code == 200, response.content
    figure = response.json()["response"][ids.BASE_FIGURE]["data"]["figure"]
    assert all(trace["x"] == [] and trace["y"] == [] for trace in figure["data"])
    data = browser_client.get(f"/api/files/{other_file.id}/data/?format=binary")
    assert data.status_code == 404


def test_the_login_page_is_rate_limited(db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_RATE = "3/min"
    client = Client()
    answers = [
        client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
    cache.clear()


def dash_call(client, outputs, inputs, state=(), changed=0):
    """Call a callback as the renderer does: inputs in declared order, `changed` triggered."""
    if len(outputs) == 1:
        output = f"{outputs[0][0]}.{outputs[0][1]}"
        outputs_body = {"id": outputs[0][0], "property": outputs[0][1]}
    else:
        output = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
        outputs_body = [{"id": i, "property": p} for i, p in outputs]
    body = {
        "output": output,
        "outputs": outputs_body,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[changed][0]}.{inputs[changed][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    response = post_callback(client, body, client.csrf_token)
    assert response.status_code == 200, response.content
    return response.json()["response"]


def project_store(project):
    return {"id": project.id, "name": project.name, "labels": project.labels}


def labeled(series_file, user, *, save):
    from labeler.services.annotations import annotation_create
    from labeler.services.saving import file_save

    annotation_create(series_file=series_file, user=user, label="Walk", start=1.0, end=3.0)
    if save:
        file_save(series_file=series_file, user=user)


def test_file_list_searches_and_marks_unsaved_files(browser_client, project, series_file, user):
    labeled(series_file, user, save=False)

    def listing(search):
        answer = dash_call(
            browser_client,
            [(ids.FILE_LIST, "children")],
            [
                (ids.PROJECT_STORE, "data", project_store(project)),
                (ids.FILE_SEARCH, "value", search),
                (ids.FILES_REFRESH, "data", None),
                (ids.SAVE_RESULT, "data", None),
                (ids.SAVE_ALL_RESULT, "data", None),
                (ids.FILE_STORE, "data", None),
            ],
        )
        return json.dumps(answer[ids.FILE_LIST]["children"])

    found = listing("WAL")
    assert "walk.csv" in found and '"data-unsaved": "1"' in found
    assert "unsaved changes" in found
    assert "walk.csv" not in listing("nothing-like-it")


def test_save_all_saves_every_changed_file(browser_client, project, series_file, user):
    labeled(series_file, user, save=False)
    answer = dash_call(
        browser_client,
        [(ids.SAVE_ALL_RESULT, "data")],
        [(ids.SAVE_ALL_BUTTON, "n_clicks", 1)],
        [(ids.PROJECT_STORE, "data", project_store(project))],
    )
    result = answer[ids.SAVE_ALL_RESULT]["data"]
    assert result["level"] == "success" and result["saved"] == [series_file.id]
    series_file.refresh_from_db()
    assert series_file.saved_at is not None and series_file.annotations.count() == 1


def train(browser_client, project, name="gait-net", epochs=3):
    answer = dash_call(
        browser_client,
        [(ids.TRAIN_JOB, "data")],
        [(ids.TRAIN_BUTTON, "n_clicks", 1)],
        [
            (ids.TRAIN_NAME, "value", name),
            (ids.TRAIN_EPOCHS, "value", epochs),
            (ids.PROJECT_STORE, "data", project_store(project)),
        ],
    )
    return answer[ids.TRAIN_JOB]["data"]


def test_train_needs_saved_labels_then_queues_a_job(browser_client, project, series_file, user):
    from autolabel.models import Job

    refused = train(browser_client, project)
    assert refused["level"] == "error" and "no saved labels" in refused["message"]
    labeled(series_file, user, save=True)
    started = train(browser_client, project)
    job = Job.objects.get(pk=started["id"])
    assert job.kind == "train" and job.status == "queued"
    assert job.params == {"name": "gait-net", "train_epochs": 3}
    assert train(browser_client, project, epochs=0)["level"] == "error"


def _job_poll(browser_client, project, job):
    return dash_call(
        browser_client,
        [
            (ids.JOB_STATUS, "children"),
            (ids.TRAINING_CURVES, "figure"),
            (ids.TRAINING_CURVES, "style"),
            (ids.JOB_CANCEL, "style"),
            (ids.JOB_POLL, "disabled"),
            (ids.JOB_FINISHED, "data"),
        ],
        [
            (ids.JOB_POLL, "n_intervals", 3),
            (ids.AUTOLABEL_JOB, "data", None),
            (ids.TRAIN_JOB, "data", {"id": job.id}),
            (ids.PROJECT_STORE, "data", project_store(project)),
        ],
        [(ids.JOB_FINISHED, "data", None)],
    )


def _training_job(project, user, **fields):
    from autolabel.models import Job

    return Job.objects.create(
        kind="train", project=project, created_by=user, params={"name": "gait-net"}, **fields
    )


def test_job_progress_shows_the_bar_and_the_metric_curves(browser_client, project, user):
    history = [
        {"epoch": 1, "phase": "validating", "loss": 0.9, "balanced_accuracy": 0.5},
        {"epoch": 2, "phase": "validating", "loss": 0.6, "balanced_accuracy": 0.7},
    ]
    job = _training_job(
        project,
        user,
        status="running",
        progress=40,
        metrics={
            "phase": "validating",
            "message": "validating 2/30 — best epoch 2",
            "epoch": 2,
            "phase_epochs": 30,
            "history": history,
        },
        heartbeat_at=timezone.now(),
    )
    answer = _job_poll(browser_client, project, job)
    status = json.dumps(answer[ids.JOB_STATUS]["children"], ensure_ascii=False)
    assert "validating 2/30 — best epoch 2" in status and '"value": "40"' in status
    curves = answer[ids.TRAINING_CURVES]["figure"]
    loss = next(t for t in curves["data"] if t["name"] == "loss")
    assert loss["y"] == [0.9, 0.6]
    assert curves["layout"]["xaxis"]["range"] == [0.5, 30.5]  # the phase's 30 epochs
    assert [a["text"] for a in curves["layout"]["annotations"]] == ["validating"]
    assert answer[ids.JOB_POLL]["disabled"] is False  # polls while it runs
    style = answer[ids.TRAINING_CURVES]["style"]
    assert int(style["width"].removesuffix("px")) >= 400 and style["position"] == "fixed"

    job.metrics = {
        **job.metrics,
        "phase": "final_fit",
        "message": "final fit 3/12 (validation stopped at epoch 22, best epoch 12)",
        "epoch": 3,
        "phase_epochs": 12,
    }
    job.progress = 81
    job.save()
    status = json.dumps(_job_poll(browser_client, project, job)[ids.JOB_STATUS]["children"])
    assert "final fit 3/12 (validation stopped at epoch 22, best epoch 12)" in status


def test_finished_training_shows_its_validation_figures_unrounded(browser_client, project, user):
    job = _training_job(
        project,
        user,
        status="succeeded",
        progress=100,
        metrics={"history": [{"epoch": 1, "phase": "validating", "loss": 0.5}]},
        result={"metrics": {"validation": {"macro_f1": 0.998765, "balanced_accuracy": 1.0}}},
    )
    answer = _job_poll(browser_client, project, job)
    status = json.dumps(answer[ids.JOB_STATUS]["children"])
    assert "macro f1 0.998765" in status and "balanced accuracy 1" in status
    assert "1.00" not in status
    assert answer[ids.TRAINING_CURVES]["style"] == {}  # docked in the panel once finished


def label_next_text(browser_client, project) -> str:
    answer = dash_call(
        browser_client,
        [(ids.LABEL_NEXT, "children")],
        [
            (ids.PROJECT_STORE, "data", project_store(project)),
            (ids.JOB_FINISHED, "data", None),
            (ids.SAVE_RESULT, "data", None),
            (ids.SAVE_ALL_RESULT, "data", None),
        ],
    )
    return json.dumps(answer[ids.LABEL_NEXT]["children"])


def test_label_next_lists_unlabeled_files_least_certain_first(browser_client, project, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from labeler.services.files import file_upload
    from tests.factories import numeric_csv

    for name, uncertainty in (("a.csv", 0.2), ("b.csv", 0.7), ("c.csv", None)):
        upload = SimpleUploadedFile(name, numeric_csv(20), "text/csv")
        created = file_upload(project=project, name=name, uploaded=upload, user=user).file
        created.uncertainty = uncertainty
        created.save(update_fields=["uncertainty"])
    text = label_next_text(browser_client, project)
    assert text.index("b.csv") < text.index("a.csv") < text.index("c.csv")


def test_label_next_shows_the_share_of_uncertain_rows_with_a_legend(browser_client, project, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from labeler.services.files import file_upload
    from tests.factories import numeric_csv

    for name, share, uncertainty in (("a.csv", 0.034, 0.6), ("b.csv", 0.42, 0.3)):
        upload = SimpleUploadedFile(name, numeric_csv(20), "text/csv")
        created = file_upload(project=project, name=name, uploaded=upload, user=user).file
        created.uncertain_share, created.uncertainty = share, uncertainty
        created.save(update_fields=["uncertain_share", "uncertainty"])
    text = label_next_text(browser_client, project)
    assert text.index("b.csv") < text.index("a.csv")  # the share ranks, not the entropy
    assert '"42 %"' in text and '"3.4 %"' in text
    assert "share of rows the last auto-label was under 80% sure of" in text


def test_a_malformed_stored_label_is_left_out_of_the_screen_not_a_server_error(
    browser_client, series_file
):
    from labeler.working_state import Change, working_state_store

    working_state_store().apply(
        series_file.id,
        [
            Change(
                "create", "good0001", {"label": "Walk", "start": 1.0, "end": 2.0, "instant": False}
            ),
            Change("create", "bad00001", {"label": "Ghost", "start": -1e300, "end": "not-a-time"}),
        ],
    )
    meta = {"id": series_file.id, "time_kind": series_file.time_kind}
    body = {
        "output": f"{ids.LOAD_RESULT}.data",
        "outputs": {"id": ids.LOAD_RESULT, "property": "data"},
        "inputs": [
            {"id": ids.FILE_STORE, "property": "data", "value": meta},
            {"id": ids.RELOAD, "property": "data", "value": None},
            {"id": ids.JOB_FINISHED, "property": "data", "value": None},
            {"id": ids.SAVE_RESULT, "property": "data", "value": None},
            {"id": ids.SAVE_ALL_RESULT, "property": "data", "value": None},
        ],
        "changedPropIds": [f"{ids.FILE_STORE}.data"],
        "state": [],
    }
    response = post_callback(browser_client, body, browser_client.csrf_token)
    assert response.status_code == 200, response.content
    snapshot = response.json()["response"][ids.LOAD_RESULT]["data"]["snapshot"]
    assert list(snapshot["annotations"]) == ["good0001"]
