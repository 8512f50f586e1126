"""Property-based: generated requests to every endpoint that takes input never get a 5xx
(query parameters, JSON bodies and headers built by hypothesis)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api.test_no_server_errors_properties import EXAMPLES, json_values, texts

query_values = (
    texts
    | st.integers(min_value=-(10**30), max_value=10**30).map(str)
    | st.sampled_from(["1e999", "nan", "-0", "10", "1", str(2**63)])
)
queries = st.dictionaries(
    st.sampled_from(["start", "end", "max_points", "channels", "project", "file", "version"]),
    query_values,
    max_size=4,
)
bodies = json_values | st.dictionaries(
    st.sampled_from(["name", "username", "role", "files", "model", "seed", "epochs", "label"])
    | texts,
    json_values,
    max_size=5,
)


pytestmark = [pytest.mark.answers_server_errors]


def no_server_error(response, request):
    assert response.status_code < 500, (response.status_code, request, response.content[:300])


@EXAMPLES
@given(path=st.sampled_from(["data/", "", "annotations/"]), query=queries)
def test_file_reads_never_5xx(client, uploaded_file, path, query):
    response = client.get(f"/api/files/{uploaded_file['id']}/{path}", query)
    no_server_error(response, query)


@EXAMPLES
@given(
    path=st.sampled_from(
        [
            "projects/{p}/members/",
            "projects/{p}/outputs/download/",
            "projects/{p}/train/",
            "files/{f}/autolabel/",
            "projects/{p}/files/",
            "projects/{p}/save-all/",
            "files/{f}/save/",
            "auth/token/",
        ]
    ),
    body=bodies,
)
def test_json_posts_never_5xx(client, project, uploaded_file, path, body):
    url = "/api/" + path.format(p=project["id"], f=uploaded_file["id"])
    response = client.post(url, json.dumps(body), content_type="application/json")
    no_server_error(response, body)


@EXAMPLES
@given(query=queries)
def test_model_list_filters_never_5xx(client, uploaded_file, query):
    no_server_error(client.get("/api/models/", query), query)


@EXAMPLES
@given(if_match=texts, version=query_values, body=bodies)
def test_annotation_versions_never_5xx(client, uploaded_file, if_match, version, body):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    made = client.post(path, {"label": "Walk", "start": 1, "end": 2}, format="json").json()
    headers = {"HTTP_IF_MATCH": if_match.replace("\x00", "")}
    patched = client.patch(
        f"{path}{made['id']}/", json.dumps(body), content_type="application/json", **headers
    )
    no_server_error(patched, (if_match, body))
    no_server_error(client.delete(f"{path}{made['id']}/", {"version": version}), version)


@EXAMPLES
@given(path=st.sampled_from(["/setup", "/predict", "/webhook"]), body=bodies)
def test_label_studio_payloads_never_5xx(db, path, body):
    from django.test import Client

    client = Client(raise_request_exception=False)
    response = client.post(path, json.dumps(body), content_type="application/json")
    no_server_error(response, body)
