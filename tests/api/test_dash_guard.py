"""Malformed Dash callback requests are answered 400 with a reason (labeler.dash_guard), after
the login and CSRF checks; well-formed ones still reach the callbacks."""

import json

import pytest
from django.test import Client

from labeler.dash_guard import callback_body_problem
from labeler.dash_ui import ids

APP = "/django_plotly_dash/app/labeler"
UPDATE = f"{APP}/_dash-update-component"


@pytest.fixture
def browser(user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    assert client.get("/").status_code == 200
    client.csrf_token = client.cookies["_csrf_token"].value
    return client


def post(client, body, url=UPDATE):
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        url, raw, content_type="application/json", HTTP_X_CSRFTOKEN=client.csrf_token
    )


def selection_request(**changes) -> dict:
    outputs = [
        (ids.PROJECT_STORE, "data"),
        (ids.FILE_STORE, "data"),
        (ids.PROJECT_SELECT, "options"),
        (ids.PROJECT_SELECT, "value"),
    ]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": ids.URL, "property": "search", "value": ""}],
        "changedPropIds": [f"{ids.URL}.search"],
        "state": [],
    }
    return {**body, **changes}


def test_a_well_formed_request_still_runs(browser):
    response = post(browser, selection_request())
    assert response.status_code == 200, response.content[:300]
    assert ids.PROJECT_SELECT in response.json()["response"]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "not JSON"),
        ([], "JSON object"),
        ({}, "output"),
        (selection_request(output="..nope.data..."), "no callback"),
        (selection_request(output=5), "output"),
        (selection_request(inputs={"id": ids.URL, "property": "search"}), "inputs must be a list"),
        (selection_request(inputs="x"), "inputs must be a list"),
        (selection_request(inputs=[]), "1 entries"),
        (selection_request(inputs=[{"id": 5, "property": "search", "value": ""}]), "id"),
        (selection_request(inputs=[{"id": ids.URL, "property": 7}]), "property"),
        (selection_request(inputs=[["x"]]), "object"),
        (selection_request(state="x"), "state must be a list"),
        (selection_request(outputs={"id": "x", "property": "y"}), "outputs"),
        (selection_request(changedPropIds=[1]), "changedPropIds"),
    ],
    ids=[
        "not-json",
        "array",
        "empty-object",
        "unknown-output",
        "output-not-text",
        "inputs-object",
        "inputs-text",
        "too-few-inputs",
        "id-wrong-type",
        "property-wrong-type",
        "input-not-object",
        "state-not-list",
        "outputs-wrong-shape",
        "changed-not-text",
    ],
)
def test_malformed_callback_bodies_are_400(browser, body, reason):
    response = post(browser, body)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert reason in response.json()["error"]


def test_a_clientside_callback_is_not_run_on_the_server(browser):
    body = {
        "output": "active-label.data",
        "outputs": {"id": "active-label", "property": "data"},
        "inputs": [],
    }
    response = post(browser, body)
    assert response.status_code == 400 and "no callback" in response.json()["error"]


def test_a_pattern_matching_input_needs_an_id_object():
    pattern = '{"index":["ALL"],"type":"label-button"}'
    callbacks = {"x.data": {"inputs": [{"id": pattern, "property": "n_clicks"}], "state": []}}
    body = {"output": "x.data", "outputs": {"id": "x", "property": "data"}}
    by_name = [[{"id": "label-button", "property": "n_clicks", "value": 1}]]
    problem = callback_body_problem(json.dumps({**body, "inputs": by_name}), callbacks)
    assert "pattern-matching" in problem
    by_pattern = [[{"id": {"type": "label-button", "index": "Walk"}, "property": "n_clicks"}]]
    assert callback_body_problem(json.dumps({**body, "inputs": by_pattern}), callbacks) is None
    assert callback_body_problem(json.dumps({**body, "inputs": [[]]}), callbacks) is None


def test_an_unknown_app_is_404(browser):
    response = post(
        browser, selection_request(), url="/django_plotly_dash/app/nope/_dash-update-component"
    )
    assert response.status_code == 404
    assert "nope" in response.json()["error"]


def test_login_and_csrf_are_checked_before_the_body(db, user):
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/accounts/login/")
    anonymous.csrf_token = anonymous.cookies["_csrf_token"].value
    assert post(anonymous, {}).status_code == 403
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(user)
    assert forged.post(UPDATE, "{}", content_type="application/json").status_code == 403
