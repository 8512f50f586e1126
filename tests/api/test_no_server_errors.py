"""Input a client can send gets a clear 4xx, never a 5xx (SPEC §8): each case here was a 500
(or a silent wrong answer) found by probing the API from outside."""

import json

import pytest

from labeler.models import Annotation, Project, SeriesFile
from labeler.working_state import Change, working_state_store
from tests.api.conftest import LABELS, upload
from tests.factories import numeric_csv

HUGE = 10**400  # an integer JSON allows and no float can hold


pytestmark = [pytest.mark.answers_server_errors]


def refused(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def patch_json(client, path, body, **headers):
    return client.patch(path, json.dumps(body), content_type="application/json", **headers)


def test_annotation_bounds_beyond_float_range_are_400(client, uploaded_file):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    refused(post_json(client, path, {"label": "Walk", "start": HUGE, "end": HUGE + 1}))
    refused(post_json(client, path, {"label": "Walk", "start": 1, "end": HUGE}))
    made = post_json(client, path, {"label": "Walk", "start": 1, "end": 2})
    assert made.status_code == 201
    refused(patch_json(client, f"{path}{made.json()['id']}/", {"end": HUGE}))
    refused(patch_json(client, f"{path}{made.json()['id']}/", {"start": -HUGE}))


@pytest.mark.parametrize("bad", ["Wa\u0000lk", "Walk\x07"])
def test_control_characters_in_label_names_are_400(client, project, bad):
    refused(post_json(client, "/api/projects/", {"name": "P", "labels": [bad]}))
    refused(post_json(client, "/api/projects/", {"name": "P", "labels": [{"name": bad}]}))
    refused(
        post_json(
            client, "/api/projects/", {"name": "P", "labels": [{"name": "A", "hotkey": "\u0000"}]}
        )
    )
    refused(patch_json(client, f"/api/projects/{project['id']}/", {"labels": ["Walk", bad]}))
    assert Project.objects.get(pk=project["id"]).label_names == ["Walk", "Run", "Fall"]


def test_nul_in_annotation_label_or_description_is_400(client, uploaded_file):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    refused(post_json(client, path, {"label": "Wa\u0000lk", "start": 1, "end": 2}))
    refused(post_json(client, path, {"label": "Walk", "start": 1, "end": 2, "description": "a\0"}))
    made = post_json(client, path, {"label": "Walk", "start": 1, "end": 2}).json()
    refused(patch_json(client, f"{path}{made['id']}/", {"description": "x\u0000y"}))
    refused(patch_json(client, f"{path}{made['id']}/", {"label": "\u0000"}))


def test_time_column_longer_than_its_column_is_400(client, project):
    long_name = "t" * 10_000
    refused(
        post_json(
            client, "/api/projects/", {"name": "P", "labels": ["A"], "time_column": long_name}
        )
    )
    refused(patch_json(client, f"/api/projects/{project['id']}/", {"time_column": long_name}))
    xml = (
        '<View><TimeSeriesLabels name="label" toName="ts"><Label value="A"/></TimeSeriesLabels>'
        f'<TimeSeries name="ts" value="$csv_url" timeColumn="{long_name}"/></View>'
    )
    refused(post_json(client, "/api/projects/", {"name": "P", "label_config": xml}))
    assert Project.objects.get(pk=project["id"]).time_column == ""


def test_a_second_upload_of_a_255_character_name_gets_a_name_that_fits(client, project):
    name = "n" * 251 + ".csv"
    first = upload(client, project["id"], (name, numeric_csv()), expect=201).json()
    second = upload(client, project["id"], (name, numeric_csv()), expect=201).json()
    names = [first["results"][0]["file"]["name"], second["results"][0]["file"]["name"]]
    assert names[0] == name
    assert len(names[1]) <= 255 and names[1].endswith(" (2).csv") and names[1] != names[0]
    assert sorted(SeriesFile.objects.values_list("name", flat=True)) == sorted(names)


def test_a_truncated_multipart_body_is_400_and_stores_nothing(client, project):
    boundary = "XyZ"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="cut.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = head + numeric_csv()[:500]  # the closing boundary never comes
    response = client.generic(
        "POST",
        f"/api/projects/{project['id']}/files/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    refused(response)
    assert not SeriesFile.objects.exists()


def test_training_seed_out_of_range_is_400(client, project):
    body = {"name": "m", "seed": 10**30}
    answer = refused(post_json(client, f"/api/projects/{project['id']}/train/", body))
    assert "seed" in answer["error"]


def test_csv_with_too_many_columns_says_so(client, project):
    columns = 30_001
    header = ",".join(["time", *(f"c{i}" for i in range(columns))])
    rows = [",".join([str(r), *("1" for _ in range(columns))]) for r in range(3)]
    content = ("\n".join([header, *rows]) + "\n").encode()
    answer = upload(client, project["id"], ("wide.csv", content), expect=400).json()
    error = answer["results"][0]["error"]
    assert "columns" in error and "binary" not in error
    assert "30002" in error.replace(",", "") and "10000" in error.replace(",", "")


# ------------------------------------------------------------------------ versions


@pytest.fixture
def made(client, uploaded_file):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    annotation = post_json(client, path, {"label": "Walk", "start": 1, "end": 2}).json()
    return f"{path}{annotation['id']}/"


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", "", "9" * 5000])
def test_a_malformed_version_on_delete_is_400_and_deletes_nothing(client, made, version):
    refused(client.delete(f"{made}?version={version}"))
    assert client.get(made.rsplit("/", 2)[0] + "/").json()["annotations"]


def test_a_malformed_if_match_is_400(client, made):
    refused(client.delete(made, HTTP_IF_MATCH='"abc"'))
    refused(patch_json(client, made, {"description": "x"}, HTTP_IF_MATCH='W/"x"'))
    refused(patch_json(client, made, {"description": "x", "version": "abc"}))
    refused(patch_json(client, made, {"description": "x", "version": 10**30}))


def test_a_stale_version_is_409_on_patch_and_delete(client, made):
    assert patch_json(client, made, {"description": "x", "version": 1}).status_code == 200
    refused(patch_json(client, made, {"description": "y", "version": 1}), 409)
    refused(client.delete(f"{made}?version=1"), 409)
    refused(client.delete(made, HTTP_IF_MATCH='"1"'), 409)
    assert client.delete(f"{made}?version=2").status_code == 200


# -------------------------------------------------------------- labels still in use


def annotate(client, file_id, label, start, end):
    path = f"/api/files/{file_id}/annotations/"
    response = post_json(client, path, {"label": label, "start": start, "end": end})
    assert response.status_code == 201, response.content
    return response.json()


def labels_of(client, file_id):
    return sorted(
        a["label"] for a in client.get(f"/api/files/{file_id}/annotations/").json()["annotations"]
    )


def test_a_label_used_only_in_the_working_state_cannot_vanish(client, project, uploaded_file):
    annotate(client, uploaded_file["id"], "Walk", 1, 2)
    response = patch_json(client, f"/api/projects/{project['id']}/", {"labels": ["Run", "Fall"]})
    answer = refused(response, 409)
    assert "Walk" in answer["error"]
    assert answer["detail"]["labels_in_use"]["Walk"]["working"] == 1
    assert answer["detail"]["labels_in_use"]["Walk"]["saved"] == 0
    assert Project.objects.get(pk=project["id"]).label_names == ["Walk", "Run", "Fall"]


def test_a_saved_label_cannot_vanish_and_counts_are_named(client, project, uploaded_file):
    annotate(client, uploaded_file["id"], "Walk", 1, 2)
    annotate(client, uploaded_file["id"], "Walk", 3, 4)
    client.post(f"/api/files/{uploaded_file['id']}/save/")
    answer = refused(
        patch_json(client, f"/api/projects/{project['id']}/", {"labels": ["Run"]}), 409
    )
    assert answer["detail"]["labels_in_use"]["Walk"]["saved"] == 2
    assert "Fall" not in answer["detail"]["labels_in_use"]  # unused labels may go


def test_relabel_applies_to_saved_and_working_labels(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    annotate(client, file_id, "Walk", 1, 2)
    client.post(f"/api/files/{file_id}/save/")
    annotate(client, file_id, "Walk", 5, 6)  # unsaved
    annotate(client, file_id, "Fall", 7, 7)
    body = {
        "labels": [{"name": "Stroll", "kind": "range"}, "Run", {"name": "Fall", "kind": "instant"}],
        "on_removed_labels": {"Walk": {"relabel": "Stroll"}},
    }
    response = patch_json(client, f"/api/projects/{project['id']}/", body)
    assert response.status_code == 200, response.content
    assert labels_of(client, file_id) == ["Fall", "Stroll", "Stroll"]
    assert list(Annotation.objects.values_list("label", flat=True)) == ["Stroll"]
    outputs = client.get(f"/api/projects/{project['id']}/outputs/").json()["outputs"]
    assert outputs and outputs[0]["file"] == file_id


def test_delete_choice_removes_the_label_everywhere(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    annotate(client, file_id, "Walk", 1, 2)
    odd = {"label": ["Walk"], "start": 1.0, "end": 2.0, "instant": False}
    working_state_store().apply(file_id, [Change("create", "bad-record-3", odd)])
    client.post(f"/api/files/{file_id}/save/")
    annotate(client, file_id, "Run", 3, 4)
    body = {"labels": ["Run", "Fall"], "on_removed_labels": {"Walk": {"delete": True}}}
    assert patch_json(client, f"/api/projects/{project['id']}/", body).status_code == 200
    assert labels_of(client, file_id) == ["Run"]
    assert not Annotation.objects.filter(label="Walk").exists()


@pytest.mark.parametrize(
    "choice, message",
    [
        ({"relabel": "Nope"}, "no such label"),
        ({"relabel": "Fall"}, "instant label"),  # Walk's ranges cannot become instants
        ({"delete": False}, "relabel"),
        ("delete", "relabel"),
    ],
)
def test_an_unusable_removal_choice_is_400(client, project, uploaded_file, choice, message):
    annotate(client, uploaded_file["id"], "Walk", 1, 2)
    body = {
        "labels": ["Run", {"name": "Fall", "kind": "instant"}],
        "on_removed_labels": {"Walk": choice},
    }
    answer = refused(patch_json(client, f"/api/projects/{project['id']}/", body))
    assert message in answer["error"]
    assert labels_of(client, uploaded_file["id"]) == ["Walk"]


def test_a_choice_for_a_label_that_stays_is_400(client, project):
    body = {
        "labels": [label["name"] for label in LABELS],
        "on_removed_labels": {"Walk": {"delete": True}},
    }
    refused(patch_json(client, f"/api/projects/{project['id']}/", body))


# -------------------------------------------------- one bad stored record, no 500


@pytest.mark.parametrize(
    "record",
    [
        {"label": "Gone", "start": 1.0, "end": 2.0, "instant": False},
        {"label": "Walk", "start": -1e300, "end": 2.0, "instant": False},
        {"label": "Walk", "start": 1.0, "end": "not-a-time", "instant": False},
        {"label": "Walk"},
        {"label": "Walk", "start": {"a": 1}, "end": [1], "instant": "yes", "score": "high"},
    ],
)
def test_a_malformed_stored_record_is_skipped_and_reported(client, uploaded_file, record):
    file_id = uploaded_file["id"]
    good = annotate(client, file_id, "Walk", 1, 2)
    working_state_store().apply(file_id, [Change("create", "bad-record-1", record)])
    listing = client.get(f"/api/files/{file_id}/annotations/")
    assert listing.status_code == 200, listing.content[:300]
    assert [a["id"] for a in listing.json()["annotations"]] == [good["id"]]
    assert [s["id"] for s in listing.json()["skipped"]] == ["bad-record-1"]
    assert listing.json()["skipped"][0]["reason"]
    assert client.get(f"/api/files/{file_id}/data/").status_code == 200
    assert client.get(f"/api/files/{file_id}/").status_code == 200
    saved = client.post(f"/api/files/{file_id}/save/")
    assert saved.status_code == 200, saved.content[:300]
    assert saved.json()["annotations"] == 1
    assert [s["id"] for s in saved.json()["skipped"]] == ["bad-record-1"]
    assert list(Annotation.objects.values_list("key", flat=True)) == [good["id"]]
    # the bad record can still be deleted; a stale edit elsewhere still gets its 409 body
    stale = patch_json(
        client,
        f"/api/files/{file_id}/annotations/{good['id']}/",
        {"description": "x", "version": 9},
    )
    refused(stale, 409)
    gone = client.delete(f"/api/files/{file_id}/annotations/bad-record-1/")
    assert gone.status_code == 200
    assert client.get(f"/api/files/{file_id}/annotations/").json()["skipped"] == []


def test_editing_a_record_that_lacks_fields_is_400(client, uploaded_file):
    file_id = uploaded_file["id"]
    working_state_store().apply(file_id, [Change("create", "bad-record-2", {"note": 1})])
    response = patch_json(
        client, f"/api/files/{file_id}/annotations/bad-record-2/", {"description": "x"}
    )
    refused(response)


def test_ids_past_64_bits_are_4xx(client, project, uploaded_file):
    huge = 10**22
    for query in ({"project": huge}, {"file": huge}):
        refused(client.get("/api/models/", query))
    refused(post_json(client, f"/api/files/{uploaded_file['id']}/autolabel/", {"model": huge}))
    refused(
        post_json(client, f"/api/projects/{project['id']}/outputs/download/", {"files": [huge]})
    )
    for path in (f"/api/projects/{huge}/", f"/api/files/{huge}/data/", f"/api/models/{huge}/"):
        refused(client.get(path), 404)
