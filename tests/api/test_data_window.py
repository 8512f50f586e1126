from tests.api.conftest import upload


def spike_csv(rows=100_000) -> bytes:
    lines = ["time,a,b"]
    lines += [f"{i},{100.0 if i == 61_234 else (i % 10) / 10},{-(i % 4)}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_full_view_is_downsampled_and_keeps_spikes(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/?max_points=1000").json()
    assert body["downsampled"] is True
    assert set(body["channels"]) == {"a", "b"}
    for values in body["channels"].values():
        assert len(values) <= 1000
    assert len(body["time"]) <= 1000
    assert max(body["channels"]["a"]) == 100.0  # MinMaxLTTB keeps the spike


def test_zoom_window_returns_rows_in_range_only(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/?start=1000&end=1500&max_points=4000").json()
    assert body["downsampled"] is False
    assert body["time"][0] == 1000 and body["time"][-1] == 1500
    assert len(body["channels"]["a"]) == 501


def test_default_is_at_most_4000_points_per_channel(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/").json()
    assert all(len(v) <= 4000 for v in body["channels"].values())


def test_channel_choice_and_bad_parameters(client, uploaded_file):
    file_id = uploaded_file["id"]
    body = client.get(f"/api/files/{file_id}/data/?channels=acc_x").json()
    assert list(body["channels"]) == ["acc_x"]
    response = client.get(f"/api/files/{file_id}/data/?channels=nope")
    assert response.status_code == 400 and "nope" in response.json()["error"]
    response = client.get(f"/api/files/{file_id}/data/?max_points=abc")
    assert response.status_code == 400
    response = client.get(f"/api/files/{file_id}/data/?start=later")
    assert response.status_code == 400
