"""A one-row spike in a 1M-row file is in the plot's drawn traces at every zoom depth, from the
whole file down to a few rows, and in the overview strip: read from what Plotly draws and from
the strip's pixels, whatever way the screen loads its windows."""

import io
import uuid

import numpy as np
import pytest

from tests.ui.test_browser import demo_project, open_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a 1M-row upload

ROWS = 1_000_000
RATE = 100
SPIKE_ROW = 500_003  # just right of the middle, so that zooming on the middle keeps it in view
SPIKE = 50.0
CHANNELS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
SPIKE_CHANNEL = "acc_z"  # the third channel
ZOOMS = 15  # each `+` halves the window: 10,000 s down to 0.3 s (30 rows)

GRAPH = "document.querySelector('#graph .js-plotly-plot')"

# The drawn data of the view now shown: a new x array (not the one before the zoom) spanning
# the view, so that a stretched redraw of the old data does not count.
NEW_DATA = f"""() => {{
  const gd = {GRAPH};
  const trace = gd && gd.data && gd.data.find((t) => t.name === '{SPIKE_CHANNEL}');
  if (!trace || !trace.x || !trace.x.length || trace.x === window.__before) return null;
  const xa = gd._fullLayout.xaxis, view = xa.range.map(xa.r2l);
  const lo = Math.max(view[0], 0), hi = Math.min(view[1], {(ROWS - 1) / RATE});
  const slack = Math.max((hi - lo) * 0.02, 2 / {RATE});
  const x = Array.from(trace.x, Number), y = Array.from(trace.y, Number);
  if (x[0] > lo + slack || x[x.length - 1] < hi - slack) return null;
  let top = -Infinity, at = null;
  for (let i = 0; i < y.length; i++) {{
    if (x[i] >= view[0] && x[i] <= view[1] && y[i] > top) {{ top = y[i]; at = x[i]; }}
  }}
  return {{ view: view, top: top, at: at, points: x.length }};
}}"""

REMEMBER = f"""() => {{
  const gd = {GRAPH};
  const trace = gd.data.find((t) => t.name === '{SPIKE_CHANNEL}');
  window.__before = trace ? trace.x : null;
}}"""

# Purple pixels of the acc_z line (the strip's third color) in the top 40 % of its band, by
# column: the noise (±1 of a 51-wide range) stays at the band's bottom, only the spike rises.
STRIP_SPIKE = """() => {
  const canvas = document.getElementById('overview');
  if (!canvas || !canvas.width) return null;
  const ratio = window.devicePixelRatio || 1;
  const band = (canvas.clientHeight - 5 - 2) / 6;
  const top = Math.ceil((1 + 2 * band) * ratio), rows = Math.floor(0.4 * band * ratio);
  const data = canvas.getContext('2d').getImageData(0, top, canvas.width, rows).data;
  const columns = new Set();
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 0 && b > 180 && b - g > 80 && r > g) columns.add((i / 4) % canvas.width);
  }
  return columns.size ? [[...columns].map((c) => c / ratio), canvas.clientWidth] : null;
}"""


def spiky_csv() -> bytes:
    """1M rows at 100 Hz, noise in [-1, 1] (1 decimal) on every channel, acc_z at 50 on one row
    (written by Arrow's CSV writer: a second, where numpy's savetxt takes ten)."""
    import pyarrow as pa
    import pyarrow.csv

    rng = np.random.default_rng(7)
    columns = {"time": np.arange(ROWS) / RATE}
    for name in CHANNELS:
        columns[name] = rng.integers(-10, 11, ROWS) / 10
    columns[SPIKE_CHANNEL][SPIKE_ROW] = SPIKE
    out = io.BytesIO()
    pyarrow.csv.write_csv(pa.table(columns), out)
    return out.getvalue()


def upload(context, live_app) -> dict:
    """Straight to the API with the browser's session cookies (a 30 MB body is slow through
    the browser driver's protocol)."""
    import requests

    project = demo_project(context, live_app)
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    name = f"spike-1m-{uuid.uuid4().hex[:8]}.csv"
    response = requests.post(
        f"{live_app.base_url}/api/projects/{project['id']}/files/",
        files={"files": (name, spiky_csv(), "text/csv")},
        cookies=cookies,
        headers={"X-CSRFToken": cookies["_csrf_token"], "Referer": f"{live_app.base_url}/"},
        timeout=300,
    )
    assert response.status_code == 201, response.text
    series_file = response.json()["results"][0]["file"]
    assert series_file["rows"] == ROWS
    return series_file


def drawn(page) -> dict:
    page.wait_for_function(NEW_DATA, timeout=30_000)
    return page.evaluate(NEW_DATA)


def test_a_one_row_spike_is_drawn_at_every_zoom_depth_and_in_the_overview(context, live_app):
    series_file = upload(context, live_app)
    page = open_file(context, live_app, series_file)
    spike_time = SPIKE_ROW / RATE
    page.evaluate("() => { window.__before = null; }")
    shown = drawn(page)
    assert shown["top"] == SPIKE, shown  # the whole file
    page.mouse.click(5, 5)  # the keyboard to the page
    for depth in range(1, ZOOMS + 1):
        page.evaluate(REMEMBER)
        page.keyboard.press("+")
        shown = drawn(page)
        width = shown["view"][1] - shown["view"][0]
        assert width == pytest.approx(10_000 / 2**depth, rel=0.01), shown
        assert shown["top"] == SPIKE, (depth, shown)
        # drawn at its place: within a pixel of the plot (~1,000 px wide) or on its own row
        assert abs(shown["at"] - spike_time) <= max(width / 500, 1 / RATE), (depth, shown)
    assert shown["points"] <= 40  # the last depth shows the raw rows around the spike
    # the overview strip draws the spike (in acc_z's band) where it is, and nothing else as high
    page.wait_for_function(STRIP_SPIKE, timeout=20_000)
    columns, strip_width = page.evaluate(STRIP_SPIKE)
    spike_px = strip_width * spike_time / ((ROWS - 1) / RATE)
    assert all(abs(c - spike_px) <= 4 for c in columns), (columns, spike_px)
