"""Latency of the labeling screen in headless Chromium: from a real input event (click, drag,
wheel notch, key) to the plot redrawn with the new view's data, on 10M- and 100M-row files.

    .venv/bin/python bench/ui_browser_latency.py [--sizes 10M,100M] [--repeat 1] [--tag NAME]
        [--data-dir bench/out/ui_latency] [--shared ../shared] [--seed 0] [--prepare-only]

The recordings are make_large.py's (6 channels, 100 rows/s), written once into
DATA_DIR/import/ and brought in through the server-folder import (IMPORT_ROOT = that folder).
The app runs as `make run` runs it (`manage.py serve`: Daphne and a job worker) with its
database and media in DATA_DIR/var/, so a later run, from this checkout or another one pointed
at the same --data-dir, reuses the ingested files (the running checkout's migrations are applied
first).

Each action is timed in the page: the clock starts in a capture-phase listener of the input
event on the window (installed before the page's own scripts), and stops at the first
`plotly_afterplot` of the graph after which the first trace's x is a new array that spans the
view then shown (clipped to the file). A redraw of the old data stretched to the new range does
not count. This reads only the drawn Plotly figure, so it measures whichever zoom path the
screen has. Actions, per size:

- open: 3 times, click the file in the file list of the freshly loaded project page (also:
  when the largest response of it ended);
- zoom (box): 20 boxes of random width dragged with the modebar's Zoom tool, nested up to a few
  deep, then the modebar's reset (not timed);
- zoom (keys): 10 presses of `+` / `-`;
- pan (drag): 20 drags of a random fraction of the width with the modebar's Pan tool;
- pan (keys): 10 presses of `←` / `→`;
- wheel: 10 wheel notches over the plot (5 in, 5 out).

Between actions the page settles (no request in flight and no redraw for 300 ms). The page goes
back to its label mode (the ✎ Label button) after the Zoom and Pan tools, and the run checks
that no label was made. Reported per size and action: n, median, p90 and max in ms, requests and
bytes per action (Resource Timing of the requests the action started), redraws before the one
with the new data, and the load average before and after the size's run. JSON goes to
bench/out/ui_browser_latency[-TAG].json and a markdown table is printed.
Goals: 10M ≤ 150 ms median zoom and pan; 100M ≤ 250 ms median; open ≤ 1 s.
"""

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import persistent_app_server  # noqa: E402

from tests.servers import BROWSER_ARGS  # noqa: E402

ADMIN = ("bench", "bench-password-1")
PROJECT = "UI latency bench"
CHANNELS = 6
RATE = 100
VIEWPORT = {"width": 1440, "height": 900}
GOALS_MS = {10_000_000: 150, 100_000_000: 250}
OPEN_GOAL_MS = 1000
SETTLE_MS = 300
OPENS = 3
ACTION_TIMEOUT_MS = 30_000
GRAPH = "#graph .js-plotly-plot"

# Installed before the page's scripts: the clock starts at the first armed input event, seen
# in the capture phase on the window (before any handler of the page); requests in flight are
# counted for settling.
HOOK = """
(() => {
  const B = window.__uiBench = { t0: null, armed: null, inflight: 0, last: 0, pending: null };
  const mark = (event) => {
    if (B.armed && B.armed.includes(event.type)) { B.t0 = performance.now(); B.armed = null; }
  };
  for (const type of ["mousedown", "mouseup", "wheel", "keydown"]) {
    window.addEventListener(type, mark, { capture: true, passive: true });
  }
  const touch = () => { B.last = performance.now(); };
  const fetch0 = window.fetch;
  window.fetch = function () {
    B.inflight++; touch();
    return fetch0.apply(this, arguments).finally(() => { B.inflight--; touch(); });
  };
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    B.inflight++; touch();
    this.addEventListener("loadend", () => { B.inflight--; touch(); });
    return send0.apply(this, arguments);
  };
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
})();
"""

ARM = """
([events, extent]) => {
  const B = window.__uiBench;
  const gd = document.querySelector('#graph .js-plotly-plot');
  if (!gd) throw new Error("no graph");
  const trace = gd.data && gd.data[0];
  const pending = { before: trace ? trace.x : undefined, extent: extent, redraws: 0,
                    stale: 0, started: performance.now() };
  B.t0 = null;
  B.armed = events;
  performance.clearResourceTimings();
  pending.done = new Promise((resolve) => { pending.resolve = resolve; });
  B.pending = pending;
  if (!gd.__uiBenchBound) {
    gd.__uiBenchBound = true;
    gd.on("plotly_afterplot", () => {
      B.last = performance.now();
      const p = B.pending;
      if (!p || p.result || B.t0 === null) return;
      const now = performance.now();
      const t = gd.data && gd.data[0];
      p.redraws++;
      if (!t || !t.x || !t.x.length || t.x === p.before) return;
      const xa = gd._fullLayout.xaxis;
      const view = xa.range.map(xa.r2l);
      const lo = Math.max(Math.min(view[0], view[1]), p.extent[0]);
      const hi = Math.min(Math.max(view[0], view[1]), p.extent[1]);
      const first = xa.d2l(t.x[0]), last = xa.d2l(t.x[t.x.length - 1]);
      const slack = Math.max((hi - lo) * 0.02, p.extent[2] * 2);
      if (first > lo + slack || last < hi - slack) { p.stale++; return; }
      p.result = { ms: now - B.t0, points: t.x.length, view: [lo, hi], redraws: p.redraws,
                   stale_new_data: p.stale };
      p.resolve(p.result);
    });
  }
}
"""

WAIT = """
(timeoutMs) => Promise.race([
  window.__uiBench.pending.done,
  new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs)),
])
"""

SETTLED = f"""
() => {{
  const B = window.__uiBench;
  return B.inflight === 0 && performance.now() - B.last > {SETTLE_MS};
}}
"""

REQUESTS = """
() => {
  const B = window.__uiBench;
  const t0 = B.t0 === null ? B.pending.started : B.t0;
  const entries = performance.getEntriesByType("resource").filter((e) => e.startTime >= t0 - 1);
  const largest = entries.reduce((a, e) => (!a || e.encodedBodySize > a.encodedBodySize ? e : a),
                                 null);
  return {
    requests: entries.length,
    transfer_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
    body_bytes: entries.reduce((s, e) => s + (e.encodedBodySize || 0), 0),
    largest_bytes: largest ? largest.encodedBodySize : 0,
    largest_end_ms: largest ? largest.responseEnd - t0 : null,
    urls: [...new Set(entries.map((e) => new URL(e.name).pathname))],
  };
}
"""

PLOT_BOX = """
() => {
  const gd = document.querySelector('#graph .js-plotly-plot');
  const size = gd._fullLayout._size, box = gd.getBoundingClientRect();
  const xa = gd._fullLayout.xaxis;
  const rows = Object.keys(gd._fullLayout).filter((k) => /^yaxis\\d*$/.test(k))
    .map((k) => gd._fullLayout[k]).map((ya) => [box.top + ya._offset, ya._length]);
  return { left: box.left + xa._offset, width: xa._length, rows: rows,
           range: xa.range.map(xa.r2l), dragmode: gd._fullLayout.dragmode };
}
"""


# ---- data: the recordings, written once and imported once


def parse_size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def size_name(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else f"{rows // 1_000}k"


def recording(import_dir: Path, rows: int, shared: Path) -> Path:
    """make_large.py's CSV of `rows` rows x 6 channels in the import folder, written once."""
    path = import_dir / f"rec-{size_name(rows)}.csv"
    if not path.exists():
        import_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        print(f"writing {path} ({rows:,} rows)", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(shared / "bench" / "make_large.py"),
                str(partial),
                "--rows",
                str(rows),
                "--channels",
                str(CHANNELS),
                "--rate",
                str(RATE),
            ],
            check=True,
        )
        partial.rename(path)
    return path


class Api:
    """The JSON API through the browser context's logged-in session."""

    def __init__(self, context, base_url: str):
        self.context, self.base_url = context, base_url

    def call(self, method: str, path: str, body=None):
        headers = {}
        if method != "get":
            token = next(c["value"] for c in self.context.cookies() if c["name"] == "_csrf_token")
            headers = {"X-CSRFToken": token, "Referer": f"{self.base_url}/"}
        kwargs = {"headers": headers}
        if body is not None:
            kwargs["data"] = body
        response = getattr(self.context.request, method)(f"{self.base_url}{path}", **kwargs)
        if not response.ok:
            raise RuntimeError(f"{method} {path}: {response.status} {response.text()[:500]}")
        return response.json()


def bench_project(api: Api) -> dict:
    for project in api.call("get", "/api/projects/"):
        if project["name"] == PROJECT:
            return project
    return api.call("post", "/api/projects/", {"name": PROJECT, "labels": ["A", "B", "C"]})


def imported_file(api: Api, project: dict, csv_path: Path, rows: int) -> dict:
    """The project's file of that CSV, imported from the server's folder when missing."""
    for series_file in api.call("get", f"/api/projects/{project['id']}/files/"):
        if series_file["name"] == csv_path.name and series_file["rows"] == rows:
            return series_file
    print(f"importing {csv_path.name} through the server-folder import", flush=True)
    started = time.perf_counter()
    job = api.call("post", f"/api/projects/{project['id']}/imports/", {"paths": [csv_path.name]})
    shown = None
    while job["status"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(2)
        job = api.call("get", f"/api/jobs/{job['id']}/")
        if job.get("progress") != shown:
            shown = job.get("progress")
            print(f"  {shown} %", flush=True)
    (result,) = job["result"]["results"] if job.get("result") else [{"status": job["status"]}]
    if result.get("status") != "created":
        raise RuntimeError(f"import of {csv_path.name} failed: {job}")
    print(f"  imported in {time.perf_counter() - started:.0f} s", flush=True)
    return result["file"]


# ---- the page


def open_page(context, base_url: str, project_id: int):
    page = context.new_page()
    page.goto(f"{base_url}/?project={project_id}")
    page.wait_for_selector(GRAPH, state="attached", timeout=60_000)
    return page


def settle(page) -> None:
    page.wait_for_function(SETTLED, polling=50, timeout=120_000)


def timed(page, extent, events, act, *args) -> dict:
    """Arm the clock for `events`, run the input `act(*args)`, wait for the redraw with new
    data."""
    page.evaluate(ARM, [events, extent])
    act(*args)
    result = page.evaluate(WAIT, ACTION_TIMEOUT_MS)
    settle(page)
    traffic = page.evaluate(REQUESTS)
    if result is None:
        return {"ms": None, "timed_out": True, **traffic}
    return {**result, **traffic}


def modebar(page, value: str) -> bool:
    """Press a modebar button (Zoom, Pan, Reset axes) as a person does: hover, click. False
    (and a note) when the screen has no such button: the actions that need it are skipped."""
    attr = "zoom" if value == "reset" else "dragmode"
    button = f"#graph .modebar-btn[data-attr='{attr}'][data-val='{value}']"
    page.hover(GRAPH)
    if not page.locator(button).count():
        print(f"note: no modebar button {value!r}; the actions that need it are skipped")
        return False
    page.click(button)
    return True


def label_mode(page) -> None:
    page.click("#label-mode")
    page.wait_for_function(
        f"() => document.querySelector('{GRAPH}')._fullLayout.dragmode === 'select'"
    )


def drag(page, x0: float, x1: float, y: float) -> None:
    page.mouse.move(x0, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x0 + (x1 - x0) * step / 5, y)
    page.mouse.up()


def run_actions(page, rng: random.Random, extent: list, file_name: str, base_url, project_id):
    """Every action once (in the order of the module docstring); returns {action: [results]}."""
    results: dict[str, list[dict]] = {}

    def record(action, result, **extra):
        results.setdefault(action, []).append({**result, **extra})

    # open: from the project page (loaded afresh), click the file in the list
    for _ in range(OPENS):
        page.goto(f"{base_url}/?project={project_id}")
        page.wait_for_selector(GRAPH, state="attached", timeout=60_000)
        link = page.locator("#file-list a", has_text=file_name)
        link.wait_for(timeout=60_000)
        settle(page)
        record("open", timed(page, extent, ["mousedown"], link.click))

    box = page.evaluate(PLOT_BOX)
    width = box["width"]
    span = extent[1] - extent[0]

    def row_y():
        top, height = rng.choice(box["rows"])
        return top + height * rng.uniform(0.3, 0.7)

    # zoom with the modebar's Zoom tool: nested boxes, then the reset
    zooms = 0 if modebar(page, "zoom") else 20
    while zooms < 20:
        for _ in range(rng.randint(1, 3)):
            fraction = 10 ** rng.uniform(-2, -0.3)
            pixels = max(12.0, fraction * width)
            x0 = box["left"] + rng.uniform(0, width - pixels)
            y = row_y()
            result = timed(page, extent, ["mouseup"], drag, page, x0, x0 + pixels, y)
            zooms += 1
            view = page.evaluate(PLOT_BOX)["range"]
            record("zoom (box)", result, view_fraction=(view[1] - view[0]) / span)
            if zooms == 20:
                break
        if not modebar(page, "reset"):
            set_view(page, extent[0], extent[1])
        settle(page)

    # zoom with the keys
    page.mouse.click(5, 5)
    for key in ["+"] * 5 + ["-"] * 5:
        result = timed(page, extent, ["keydown"], page.keyboard.press, key)
        record("zoom (keys +/-)", result)

    # pan with the modebar's Pan tool, at a few depths
    for _ in range(4 if modebar(page, "pan") else 0):
        depth = 10 ** rng.uniform(-3, -1)
        middle = extent[0] + span * rng.uniform(0.2, 0.8)
        set_view(page, middle - span * depth / 2, middle + span * depth / 2)
        for _ in range(5):
            view = page.evaluate(PLOT_BOX)["range"]
            fraction = rng.uniform(0.1, 0.5)
            # a drag to the right moves the view to earlier times: drag toward the file's middle
            sign = -1 if (view[0] + view[1]) / 2 < extent[0] + span / 2 else 1
            x0 = box["left"] + width / 2 - sign * fraction * width / 2
            x1 = x0 + sign * fraction * width
            y = row_y()
            result = timed(page, extent, ["mouseup"], drag, page, x0, x1, y)
            record("pan (drag)", result, view_fraction=depth)
    label_mode(page)

    # pan with the arrow keys
    set_view(page, extent[0] + span * 0.45, extent[0] + span * 0.46)
    page.mouse.click(5, 5)
    for key in ["ArrowRight"] * 5 + ["ArrowLeft"] * 5:
        result = timed(page, extent, ["keydown"], page.keyboard.press, key)
        record("pan (keys ←/→)", result)

    # wheel notches over the plot, in the label mode (the page's default)
    set_view(page, extent[0] + span * 0.4, extent[0] + span * 0.5)
    page.mouse.move(box["left"] + width / 2, box["rows"][0][0] + box["rows"][0][1] / 2)
    for delta in [-100] * 5 + [100] * 5:
        result = timed(page, extent, ["wheel"], page.mouse.wheel, 0, delta)
        record("wheel", result)
    return results


def set_view(page, lo: float, hi: float) -> None:
    """Move the view without timing it (set-up between actions)."""
    page.evaluate(
        f"([lo, hi]) => Plotly.relayout(document.querySelector('{GRAPH}'),"
        " {'xaxis.range': [lo, hi]})",
        [lo, hi],
    )
    settle(page)


# ---- statistics and the report


def summarize(samples: list[dict]) -> dict:
    times = sorted(s["ms"] for s in samples if s.get("ms") is not None)
    timed_out = sum(1 for s in samples if s.get("ms") is None)

    def mean(key):
        return round(statistics.fmean(s[key] for s in samples), 1) if samples else None

    summary = {
        "n": len(times),
        "timed_out": timed_out,
        "median_ms": round(statistics.median(times), 1) if times else None,
        "p90_ms": round(times[math.ceil(0.9 * len(times)) - 1], 1) if times else None,
        "max_ms": round(times[-1], 1) if times else None,
        "requests_per_action": mean("requests"),
        "kb_per_action": round(mean("body_bytes") / 1024, 1) if samples else None,
        "largest_kb": round(statistics.fmean(s["largest_bytes"] for s in samples) / 1024, 1),
        "redraws_per_action": mean("redraws") if all("redraws" in s for s in samples) else None,
    }
    ends = [s["largest_end_ms"] for s in samples if s.get("largest_end_ms") is not None]
    if ends:
        summary["largest_response_end_ms"] = round(statistics.median(ends), 1)
    return summary


def markdown(report: dict) -> str:
    lines = [
        f"machine: {report['machine']['cpus']} cores, {report['machine']['platform']}; "
        f"commit {report['commit']}",
        "",
        "| size | action | n | median ms | p90 ms | max ms | requests | KiB / action "
        "| redraws | goal (median) | load before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in report["runs"]:
        load = f"{run['loadavg_before'][0]:.1f} → {run['loadavg_after'][0]:.1f}"
        for action, s in run["actions"].items():
            lines.append(
                f"| {run['size']} | {action_label(action, s)} | {count_label(s)}"
                f" | {s['median_ms']} | {s['p90_ms']} | {s['max_ms']} | {s['requests_per_action']}"
                f" | {s['kb_per_action']} | {s['redraws_per_action']}"
                f" | {goal_label(action, run['rows'], s)} | {load} |"
            )
    return "\n".join(lines)


def action_label(action: str, summary: dict) -> str:
    if action == "open" and "largest_response_end_ms" in summary:
        return f"open (largest response done at {summary['largest_response_end_ms']:.0f} ms)"
    return action


def count_label(summary: dict) -> str:
    missing = summary["timed_out"]
    return f"{summary['n']} ({missing} timed out)" if missing else str(summary["n"])


def goal_label(action: str, rows: int, summary: dict) -> str:
    goal = OPEN_GOAL_MS if action == "open" else GOALS_MS.get(rows)
    if goal is None or summary["median_ms"] is None:
        return ""
    return f"≤ {goal}: {'met' if summary['median_ms'] <= goal else 'missed'}"


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def measure(args) -> dict:
    from playwright.sync_api import sync_playwright

    data_dir = Path(args.data_dir).resolve()
    import_dir = data_dir / "import"
    sizes = [parse_size(text) for text in args.sizes.split(",")]
    csvs = {rows: recording(import_dir, rows, Path(args.shared)) for rows in sizes}
    report = {
        "tag": args.tag,
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "viewport": VIEWPORT,
        "seed": args.seed,
        "repeat": args.repeat,
        "runs": [],
    }
    server = persistent_app_server(
        data_dir / "var", admin=ADMIN, extra_env={"IMPORT_ROOT": str(import_dir)}
    )
    with server as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=BROWSER_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(HOOK)
        log_in(context, base_url)
        api = Api(context, base_url)
        project = bench_project(api)
        files = {rows: imported_file(api, project, csvs[rows], rows) for rows in sizes}
        if args.prepare_only:
            sizes = []
        page = open_page(context, base_url, project["id"])
        report["plotly"] = page.evaluate("() => window.Plotly && window.Plotly.version")
        for rows in sizes:
            series_file = files[rows]
            labels_before = label_count(api, series_file)
            extent = [series_file["time_start"], series_file["time_end"], 1 / RATE]
            rng = random.Random(args.seed)
            loadavg_before = os.getloadavg()
            samples: dict[str, list[dict]] = {}
            started = time.perf_counter()
            for _ in range(args.repeat):
                found = run_actions(page, rng, extent, series_file["name"], base_url, project["id"])
                for action, results in found.items():
                    samples.setdefault(action, []).extend(results)
            run = {
                "size": size_name(rows),
                "rows": rows,
                "channels": CHANNELS,
                "file_id": series_file["id"],
                "seconds": round(time.perf_counter() - started, 1),
                "loadavg_before": loadavg_before,
                "loadavg_after": os.getloadavg(),
                "labels_made": label_count(api, series_file) - labels_before,
                "actions": {action: summarize(found) for action, found in samples.items()},
                "samples": samples,
            }
            report["runs"].append(run)
            print(f"{run['size']}: {run['seconds']} s, load {run['loadavg_after']}", flush=True)
        browser.close()
    return report


def log_in(context, base_url: str) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", ADMIN[0])
    page.fill("#id_password", ADMIN[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    page.close()


def label_count(api: Api, series_file: dict) -> int:
    return len(api.call("get", f"/api/files/{series_file['id']}/annotations/")["annotations"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10M,100M", help="rows of each recording: 10M,100M")
    parser.add_argument("--repeat", type=int, default=1, help="times every action set is run")
    parser.add_argument("--tag", default="", help="a name for this run (file name, report)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "ui_latency"))
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--prepare-only", action="store_true", help="write and import the recordings, then stop"
    )
    args = parser.parse_args()
    report = measure(args)
    if args.prepare_only:
        return
    name = f"ui_browser_latency{'-' + args.tag if args.tag else ''}.json"
    out = ROOT / "bench" / "out" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(markdown(report))
    for run in report["runs"]:
        if run["labels_made"]:
            print(f"WARNING: {run['labels_made']} labels were made on the {run['size']} file")
    print(f"JSON: {out}")


if __name__ == "__main__":
    main()
