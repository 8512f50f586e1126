"""Property-based: generated annotation, project and upload-setting payloads never get a 5xx.

Hypothesis builds the bodies (any JSON values, text with NUL and other control characters,
integers past float range, huge strings, missing and extra fields); each answer must be a 2xx
or a JSON 4xx. Runs on both storage setups (`--services=postgres-redis` too).
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import upload
from tests.factories import numeric_csv

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LABEL_NAMES = ["Walk", "Run", "Fall"]

texts = st.text(max_size=40) | st.sampled_from(["", "\x00", "a\x00b", "x" * 10_000, "-1e999"])
numbers = (
    st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1.5, 19.9, -1e300, 1e300, 2**63, -(2**63) - 1])
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
times = numbers | texts | st.sampled_from(["2024-01-01T00:00:00", "1.5", "nan"]) | json_values
labels = st.sampled_from(LABEL_NAMES) | texts | json_values


def optional_fields(**fields):
    return st.fixed_dictionaries({}, optional=fields)


annotation_payloads = optional_fields(
    id=texts | st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True),
    label=labels,
    start=times,
    end=times,
    description=texts | json_values,
    version=numbers | texts,
    extra=json_values,
)
label_lists = st.lists(
    labels
    | optional_fields(
        name=labels, color=texts, hotkey=texts, kind=st.sampled_from(["range", "instant"]) | texts
    ),
    max_size=5,
)
label_configs = texts | st.builds(
    lambda name, column, channel: (
        '<View><TimeSeriesLabels name="label" toName="ts">'
        f"<Label value={json.dumps(name)}/></TimeSeriesLabels>"
        f'<TimeSeries name="ts" value="$csv_url" timeColumn={json.dumps(column)}>'
        f"<Channel column={json.dumps(channel)}/></TimeSeries></View>"
    ),
    texts,
    texts,
    texts,
)
project_payloads = optional_fields(
    name=texts | json_values,
    description=texts | json_values,
    labels=label_lists | json_values,
    label_config=label_configs | json_values,
    time_column=texts | st.sampled_from(["time", "#row", "acc_x"]) | json_values,
    channels=st.lists(texts | st.sampled_from(["acc_x", "acc_y", "time"]), max_size=4)
    | json_values,
    on_removed_labels=st.dictionaries(
        st.sampled_from(LABEL_NAMES) | texts,
        st.sampled_from([{"delete": True}, {"relabel": "Run"}]) | json_values,
        max_size=2,
    )
    | json_values,
)


pytestmark = [pytest.mark.answers_server_errors]


def no_server_error(response, body):
    assert response.status_code < 500, (response.status_code, body, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["error"]


def send(client, method, path, body):
    raw = json.dumps(body)
    response = getattr(client, method)(path, raw, content_type="application/json")
    no_server_error(response, body)
    return response


@EXAMPLES
@given(payload=annotation_payloads, patch=annotation_payloads, version=texts)
def test_annotation_payloads_never_5xx(client, uploaded_file, payload, patch, version):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    created = send(client, "post", path, payload)
    target = created.json()["id"] if created.status_code == 201 else "no-such-annotation"
    if created.status_code != 201:
        made = send(client, "post", path, {"label": "Walk", "start": 1, "end": 2})
        target = made.json()["id"]
    send(client, "patch", f"{path}{target}/", patch)
    no_server_error(client.get(path), None)
    no_server_error(client.delete(f"{path}{target}/", {"version": version}), version)


@EXAMPLES
@given(create=project_payloads, change=project_payloads)
def test_project_payloads_never_5xx(client, project, uploaded_file, create, change):
    send(client, "post", "/api/projects/", create)
    send(client, "patch", f"/api/projects/{project['id']}/", change)
    no_server_error(client.get(f"/api/projects/{project['id']}/"), None)


@settings(EXAMPLES, max_examples=25)
@given(
    time_column=texts | st.sampled_from(["time", "#row", "acc_x", "nope"]),
    channels=st.lists(texts | st.sampled_from(["acc_x", "acc_y", "time"]), max_size=3),
)
def test_upload_settings_never_5xx(client, project, time_column, channels):
    body = {"time_column": time_column, "channels": channels}
    send(client, "patch", f"/api/projects/{project['id']}/", body)
    answer = upload(client, project["id"], ("walk.csv", numeric_csv(rows=30)))
    no_server_error(answer, body)


@settings(EXAMPLES, max_examples=25)
@given(
    time_column=texts | st.sampled_from(["time", "none", "acc_x", "nope"]),
    time_format=texts | st.sampled_from(["auto", "number", "epoch_ms", "dmy_slash"]),
    timezone=texts | st.sampled_from(["UTC", "+02:00", "Europe/Berlin", "Mars/Base"]),
    channels=texts | st.sampled_from(["acc_x", "acc_x,acc_y", ",", "time"]),
)
def test_upload_form_fields_never_5xx(
    client, project, time_column, time_format, timezone, channels
):
    """The column-mapping fields of an upload (time_column, time_format, timezone, channels)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {
        "time_column": time_column,
        "time_format": time_format,
        "timezone": timezone,
        "channels": channels,
    }
    payload = {"files": [SimpleUploadedFile("walk.csv", numeric_csv(rows=30), "text/csv")]}
    payload.update({k: v for k, v in fields.items() if "\x00" not in v})
    answer = client.post(f"/api/projects/{project['id']}/files/", payload, format="multipart")
    no_server_error(answer, fields)


change_items = st.fixed_dictionaries(
    {"op": st.sampled_from(["create", "update", "delete"]) | texts},
    optional={
        "id": texts | st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True),
        "annotation": annotation_payloads | json_values,
        "version": numbers | texts,
        "snap": st.booleans() | json_values,
    },
)


@EXAMPLES
@given(
    changes=st.lists(change_items, max_size=4) | json_values,
    file_version=st.none() | numbers | texts,
)
def test_change_batches_never_5xx(client, uploaded_file, changes, file_version):
    body = {"changes": changes}
    if file_version is not None:
        body["file_version"] = file_version
    send(client, "post", f"/api/files/{uploaded_file['id']}/changes/", body)
    no_server_error(client.get(f"/api/files/{uploaded_file['id']}/annotations/"), None)
