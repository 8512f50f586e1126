"""The overview strip under the plot: the whole recording with a one-row spike visible, the
plot's window as a box that follows zooms, and a drag of the box pans the plot."""

import uuid

import pytest

from tests.ui.test_browser import api, demo_project, open_file

pytestmark = [pytest.mark.browser]

RANGE = "() => document.querySelector('#graph .js-plotly-plot')._fullLayout.xaxis.range"


def spiked_file(context, live_app, rows=20_000, spike_row=15_000):
    """10 Hz, 0.0 .. 1999.9 s, every channel quiet but one row of acc_x at 500."""
    lines = ["time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"]
    for i in range(rows):
        acc_x = 500 if i == spike_row else (i % 7) * 0.01
        lines.append(f"{i / 10:.1f},{acc_x},{(i % 3) * 0.01},0,0,1,0")
    project = demo_project(context, live_app)
    answer = api(
        context,
        live_app,
        f"/api/projects/{project['id']}/files/",
        method="post",
        multipart={
            "files": {
                "name": f"spike-{uuid.uuid4().hex[:8]}.csv",
                "mimeType": "text/csv",
                "buffer": ("\n".join(lines) + "\n").encode(),
            }
        },
    )
    return answer["results"][0]["file"]


BOX_PX = """() => {
  const canvas = document.getElementById('overview');
  if (!canvas || !canvas.width) return null;
  const g = canvas.getContext('2d');
  const ratio = window.devicePixelRatio || 1;
  const row = g.getImageData(0, 0, canvas.width, 1).data;  // the box's top border line
  const hit = [];
  for (let x = 0; x < canvas.width; x++) {
    const [r, gr, b] = [row[4 * x], row[4 * x + 1], row[4 * x + 2]];
    if (b > 150 && r < 110 && gr < 100) hit.push(x / ratio);
  }
  return hit.length ? [hit[0], hit[hit.length - 1], canvas.clientWidth] : null;
}"""


def box_px(page):
    """The overview's window box, from the strip's own pixels: the columns of its border."""
    page.wait_for_function(BOX_PX, timeout=20_000)
    return page.evaluate(BOX_PX)


def test_overview_shows_the_spike_follows_zoom_and_pans_by_drag(context, live_app):
    series_file = spiked_file(context, live_app)
    page = open_file(context, live_app, series_file)
    # the whole file is in view: the box spans the strip
    page.wait_for_function(
        f"() => {{ const b = ({BOX_PX})(); return b && b[0] < 3 && b[1] > b[2] - 3; }}",
        timeout=20_000,
    )
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [1000, 1100]})"
    )
    page.wait_for_function(
        "() => { const r = (" + RANGE + ")(); return Math.abs(r[0] - 1000) < 1; }"
    )
    page.wait_for_timeout(300)
    left, right, width = box_px(page)
    assert left == pytest.approx(width * 1000 / 1999.9, abs=4)
    assert right == pytest.approx(width * 1100 / 1999.9, abs=4)
    # the one-row spike at 1500 s reaches the top of the strip, outside the box
    page.wait_for_function(
        """() => {
          const canvas = document.getElementById('overview');
          const g = canvas.getContext('2d');
          const ratio = window.devicePixelRatio || 1;
          const x = Math.round(0.75 * canvas.clientWidth * ratio);
          const data = g.getImageData(x - 3 * ratio, 0, 6 * ratio, 4 * ratio).data;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0 && data[i + 2] > data[i] + 40) return true;  // blue acc_x
          }
          return false;
        }""",
        timeout=20_000,
    )
    box = page.locator("#overview").bounding_box()
    middle = box["x"] + (left + right) / 2
    page.mouse.move(middle, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(middle + width / 4, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => { const r = (" + RANGE + ")(); return r[0] > 1400 && r[0] < 1600"
        " && Math.abs(r[1] - r[0] - 100) < 1; }"
    )
