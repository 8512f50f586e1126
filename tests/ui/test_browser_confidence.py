"""The confidence strip under the plot: hidden until the file is auto-labeled, then (without
reloading the page) it shows where the model was unsure, and follows a zoom without a request
of its own."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import unsure_near_one_checkpoint
from tests.ui.test_browser import csrf_headers, demo_project, fresh_file, open_file

pytestmark = [pytest.mark.browser]

ROWS = 2000  # 10 Hz: 0.0 .. 199.9 s
UNSURE_S = (64.0, 76.8)  # rows 640 .. 767: two buckets of 64 rows where acc_x is 1

# The times (plot axis units) under the strip's red pixel columns, from the strip's own
# pixels: [first, last, count of columns], [] when none is red, null while it is hidden.
RED_TIMES = """(y) => {
  const node = document.getElementById('confidence-strip');
  if (!node || node.classList.contains('is-empty') || !node.width) return null;
  const gd = document.querySelector('#graph .js-plotly-plot');
  const xa = gd._fullLayout.xaxis;
  const range = xa.range.map(xa.r2l);
  const ratio = window.devicePixelRatio || 1;
  const row = node.getContext('2d').getImageData(0, Math.round(y * ratio), node.width, 1).data;
  const left = gd.getBoundingClientRect().left + xa._offset - node.getBoundingClientRect().left;
  const red = [];
  for (let x = 0; x < node.width; x++) {
    const [r, g, b] = [row[4 * x], row[4 * x + 1], row[4 * x + 2]];
    if (r > 180 && g < 90 && b < 90) {
      red.push(range[0] + (x / ratio + 0.5 - left) / xa._length * (range[1] - range[0]));
    }
  }
  return red.length ? [red[0], red[red.length - 1], red.length] : [];
}"""


def unsure_file(context, live_app, time_of=lambda i: f"{i / 10:.1f}") -> dict:
    """``time_of(row)``: the time column's text (10 Hz seconds by default)."""
    lines = ["time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"]
    for i in range(ROWS):
        acc_x = 1 if 640 <= i < 768 else 3 if i >= 1500 else 0
        lines.append(f"{time_of(i)},{acc_x},0,0,0,1,0")
    return fresh_file(context, live_app, content=("\n".join(lines) + "\n").encode())


def upload_model(context, live_app, project) -> dict:
    label = next(x["name"] for x in project["labels"] if x.get("kind", "both") != "instant")
    name = f"unsure-{uuid.uuid4().hex[:6]}"
    response = context.request.post(
        f"{live_app.base_url}/api/models/",
        headers=csrf_headers(context),
        multipart={
            "name": name,
            "project": str(project["id"]),
            "file": {
                "name": "unsure.pt",
                "mimeType": "application/octet-stream",
                "buffer": unsure_near_one_checkpoint(label=label, channel="acc_x"),
            },
        },
    )
    assert response.ok, response.text()
    return response.json()


def run_queued_autolabel_jobs(live_app, file_id):
    """The job worker's work, once the page's Auto-label click has queued the job."""
    live_app.manage(
        "shell",
        "-c",
        "import time\n"
        "from autolabel.jobs import job_execute\n"
        "from autolabel.models import Job\n"
        "deadline = time.monotonic() + 20\n"
        f"queued = Job.objects.filter(status='queued', file_id={file_id})\n"
        "while not queued.exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.2)\n"
        "for job in queued:\n"
        "    job_execute(job_id=job.id)\n",
    )


def red_times(page, y=3):
    return page.evaluate(RED_TIMES, y)


def auto_labeled_page(context, live_app, series_file, model):
    """The file's page, auto-labeled with ``model`` from the page (no reload), once the strip
    shows red."""
    page = open_file(context, live_app, series_file)
    assert red_times(page) is None  # no confidence yet: hidden
    assert page.locator("#confidence-strip").bounding_box() is None
    page.locator("#model-select").click()
    page.locator("#model-select .VirtualizedSelectOption", has_text=model["name"]).click()
    page.click("#autolabel-button")
    run_queued_autolabel_jobs(live_app, series_file["id"])
    page.wait_for_function(f"(y) => {{ const t = ({RED_TIMES})(y); return t && t.length; }}", arg=3)
    return page


def test_confidence_strip_after_auto_label_shows_the_unsure_part_and_follows_zoom(
    context, live_app
):
    series_file = unsure_file(context, live_app)
    model = upload_model(context, live_app, demo_project(context, live_app))
    requests = []
    context.on(
        "request", lambda request: "/confidence/" in request.url and requests.append(request.url)
    )
    page = auto_labeled_page(context, live_app, series_file, model)
    first, last, columns = red_times(page)  # the whole file is in view
    per_px = 200 / page.evaluate(
        "document.querySelector('#graph .js-plotly-plot')._fullLayout.xaxis._length"
    )
    assert first == pytest.approx(UNSURE_S[0], abs=3 * per_px)
    assert last == pytest.approx(UNSURE_S[1], abs=3 * per_px)
    assert "model confidence" in page.locator("#confidence-strip").get_attribute("title").lower()
    loads = len(requests)
    assert loads == 1

    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [50, 100]})"
    )
    page.wait_for_function(
        f"(y) => {{ const t = ({RED_TIMES})(y); return t && t.length && t[2] > {3 * columns}; }}",
        arg=3,
    )
    zoomed_first, zoomed_last, zoomed_columns = red_times(page)
    assert zoomed_columns == pytest.approx(4 * columns, rel=0.15)  # a quarter of the file
    assert zoomed_first == pytest.approx(UNSURE_S[0], abs=1) and zoomed_last == pytest.approx(
        UNSURE_S[1], abs=1
    )
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [150, 199]})"
    )
    page.wait_for_function(
        f"(y) => {{ const t = ({RED_TIMES})(y); return t && !t.length; }}", arg=3
    )
    assert len(requests) == loads  # zooms drew from what was fetched: no request of its own

    strip = page.locator("#confidence-strip").bounding_box()
    left = page.evaluate(  # where 160 s is on the strip, lined up with the plot
        """() => { const gd = document.querySelector('#graph .js-plotly-plot');
          const xa = gd._fullLayout.xaxis; return gd.getBoundingClientRect().left + xa._offset
            + xa.d2p(160); }"""
    )
    page.mouse.click(left, strip["y"] + strip["height"] / 2)  # centres the plot there
    page.wait_for_function(
        "() => { const r = document.querySelector('#graph .js-plotly-plot')._fullLayout.xaxis"
        ".range; return Math.abs((r[0] + r[1]) / 2 - 160) < 0.5 && Math.abs(r[1] - r[0] - 49)"
        " < 0.5; }"
    )


def test_confidence_strip_lines_up_with_a_date_time_plot_in_any_browser_zone(
    browser, logged_in_state, live_app
):
    """Date-times without a zone are plotted as written: the strip too, in a browser whose own
    zone is not UTC."""
    context = browser.new_context(
        storage_state=logged_in_state,
        viewport={"width": 1440, "height": 900},
        timezone_id="America/New_York",
    )
    try:
        start = datetime(2024, 3, 1, 10, 0, 0)
        series_file = unsure_file(
            context,
            live_app,
            lambda i: (start + timedelta(seconds=i / 10)).isoformat(timespec="milliseconds"),
        )
        model = upload_model(context, live_app, demo_project(context, live_app))
        page = auto_labeled_page(context, live_app, series_file, model)
        first, last, _ = red_times(page)
        as_plotted = start.replace(tzinfo=UTC).timestamp() * 1000  # ms, written clock as UTC
        per_px = 200_000 / page.evaluate(
            "document.querySelector('#graph .js-plotly-plot')._fullLayout.xaxis._length"
        )
        assert first - as_plotted == pytest.approx(UNSURE_S[0] * 1000, abs=3 * per_px)
        assert last - as_plotted == pytest.approx(UNSURE_S[1] * 1000, abs=3 * per_px)
    finally:
        context.close()
