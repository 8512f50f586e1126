"""The labeling screen's plot callback on a 10M-row x 6-channel file, over HTTP, as the browser
calls it (session login, CSRF token, django-plotly-dash's `_dash-update-component`).

    .venv/bin/python bench/ui_plot.py [--rows 10000000] [--repeat 5] [--shared ../shared]

Cases: open the file (full view), zoom to 1 % and to 0.01 % (relayoutData from Plotly), and one
label edit (create, through the changes endpoint the screen calls). Reported per case: the wall
time seen by the client (median and max), the response size and the points per channel. Goal: a
window in well under a second with at most 4,000 points per channel, whatever the file's size.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import app_server  # noqa: E402
from data_endpoint import large_cache, register  # noqa: E402

UPDATE = "/django_plotly_dash/app/labeler/_dash-update-component"
USER, PASSWORD = "bench", "bench-password-1"


def login(base_url: str):
    import requests

    session = requests.Session()
    session.get(f"{base_url}/accounts/login/")
    token = session.cookies["_csrf_token"]
    answer = session.post(
        f"{base_url}/accounts/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.status_code
    session.get(f"{base_url}/")
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    return session


def callback(session, base_url, outputs, inputs, state=(), changed=0):
    """inputs in the order the callback declares them; `changed`: which one triggered."""
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[changed][0]}.{inputs[changed][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    started = time.perf_counter()
    response = session.post(f"{base_url}{UPDATE}", json=body)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, len(response.content), response.json()["response"]


def plot(session, base_url, meta, relayout, view_state):
    return callback(
        session,
        base_url,
        [("base-figure", "data"), ("view-store", "data")],
        [
            ("file-store", "data", meta),
            ("graph", "relayoutData", relayout),
            ("layout-mode", "value", "stacked"),
        ],
        [("view-store", "data", view_state)],
        changed=1 if relayout else 0,
    )


def measure(base_url: str, file_id: int, repeat: int) -> list[dict]:
    session = login(base_url)
    info = session.get(f"{base_url}/api/files/{file_id}/").json()
    meta = {key: info[key] for key in ("id", "rows", "channels", "time_kind", "time_start")}
    meta.update(
        time_end=info["time_end"],
        sampling_rate=info["sampling_rate"],
        project=info["project"],
        name=info["name"],
        time_column=info["time_column"],
    )
    first, last = info["time_start"], info["time_end"]
    middle = (first + last) / 2
    span = last - first
    cases = [
        ("full view", None),
        ("1 % zoom", {"xaxis.range[0]": middle, "xaxis.range[1]": middle + span / 100}),
        ("0.01 % zoom", {"xaxis.range[0]": middle, "xaxis.range[1]": middle + span / 10_000}),
    ]
    results = []
    for name, relayout in cases:
        times, size, points = [], 0, 0
        for _ in range(repeat):
            view_state = {"file": file_id, "view": [first, last]} if relayout else None
            elapsed, size, answer = plot(session, base_url, meta, relayout, view_state)
            times.append(elapsed)
            points = max(len(t["x"]) for t in answer["base-figure"]["data"]["figure"]["data"])
        results.append(_row(name, times, size, points))
    times = []
    for number in range(repeat):
        change = {
            "op": "create",
            "id": f"bench-label-{number:04d}",
            "snap": True,
            "annotation": {"label": "A", "start": middle + number, "end": middle + number + 0.5},
        }
        started = time.perf_counter()
        response = session.post(
            f"{base_url}/api/files/{file_id}/changes/",
            json={"changes": [change]},
            headers={"Referer": f"{base_url}/"},
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        size = len(response.content)
    results.append(_row("label edit (create)", times, size, 0))
    return results


def _row(name, times, size, points) -> dict:
    return {
        "case": name,
        "median_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
        "response_kb": round(size / 1024, 1),
        "points_per_channel": points,
    }


def main():
    if sys.argv[1:2] == ["--prepare"]:
        print(json.dumps(register(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "window"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "ui_plot.json"))
    args = parser.parse_args()
    cache_dir = large_cache(Path(args.work), args.rows, args.channels, Path(args.shared))
    with app_server(__file__, str(cache_dir)) as (base_url, prepared):
        _, file_id = prepared
        results = measure(base_url, file_id, args.repeat)
    print(f"{'case':<22} {'median s':>9} {'max s':>7} {'KiB':>7} {'points':>7}")
    for row in results:
        print(
            f"{row['case']:<22} {row['median_s']:>9.3f} {row['max_s']:>7.3f} "
            f"{row['response_kb']:>7.1f} {row['points_per_channel']:>7}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"rows": args.rows, "results": results}, indent=1))


if __name__ == "__main__":
    main()
