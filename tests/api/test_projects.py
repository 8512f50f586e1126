from pathlib import Path

from labeler.label_config import label_config_parse

DEMO_CONFIG = (
    Path(__file__).resolve().parents[2] / "demo/basicmotions/label_config.xml"
).read_text()


def test_create_from_a_label_list_and_round_trip_through_xml(client):
    labels = [
        {"name": "Walk", "color": "#112233", "hotkey": "w", "kind": "range"},
        {"name": "Fall", "color": "#aa0000", "hotkey": "f", "kind": "instant"},
        "Run",
    ]
    response = client.post(
        "/api/projects/",
        {"name": "P", "labels": labels, "time_column": "time", "channels": ["a", "b"]},
        format="json",
    )
    assert response.status_code == 201
    project = response.json()
    assert project["id"]
    assert [label["name"] for label in project["labels"]] == ["Walk", "Fall", "Run"]
    assert project["labels"][2]["kind"] == "both"
    # list -> XML -> list gives the same labels, channels and time column
    again = client.post(
        "/api/projects/", {"name": "Q", "label_config": project["label_config"]}, format="json"
    ).json()
    assert again["labels"] == project["labels"]
    assert again["channels"] == ["a", "b"]
    assert again["time_column"] == "time"


def test_create_from_label_studio_xml_keeps_it_verbatim(client):
    response = client.post(
        "/api/projects/", {"name": "BM", "label_config": DEMO_CONFIG}, format="json"
    )
    assert response.status_code == 201
    project = response.json()
    assert project["label_config"] == DEMO_CONFIG
    assert [label["name"] for label in project["labels"]] == ["Walk", "Run", "Badminton"]
    assert project["time_column"] == "time"
    assert project["channels"] == ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    parsed = label_config_parse(project["label_config"])
    assert parsed.labels == project["labels"]


def test_bad_label_sets_are_4xx_with_a_reason(client):
    cases = [
        ({"name": "x"}, "labels"),
        ({"name": "x", "labels": []}, "labels"),
        ({"name": "x", "labels": ["A", "A"]}, "twice"),
        ({"name": "x", "labels": [{"name": "A", "kind": "sometimes"}]}, "kind"),
        ({"name": "x", "label_config": "<View><oops"}, "not valid XML"),
        ({"name": "x", "label_config": "<View></View>"}, "TimeSeriesLabels"),
        (
            {"name": "x", "label_config": '<!DOCTYPE x [<!ENTITY a "b">]><View/>'},
            "DOCTYPE",
        ),
    ]
    for body, reason in cases:
        response = client.post("/api/projects/", body, format="json")
        assert response.status_code == 400, body
        assert reason in response.json()["error"], response.json()
    assert client.get("/api/projects/").json() == []


def test_patch_and_delete(client, project):
    response = client.patch(f"/api/projects/{project['id']}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert client.delete(f"/api/projects/{project['id']}/").status_code == 204
    assert client.get(f"/api/projects/{project['id']}/").status_code == 404


def test_labels_in_use_cannot_be_dropped(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    client.post(
        f"/api/files/{file_id}/annotations/", {"label": "Walk", "start": 1, "end": 2}, format="json"
    )
    client.post(f"/api/files/{file_id}/save/")
    response = client.patch(f"/api/projects/{project['id']}/", {"labels": ["Run"]}, format="json")
    assert response.status_code == 409
    assert "Walk" in response.json()["error"]
