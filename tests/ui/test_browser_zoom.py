"""A view change sends one small binary request and draws once (plotview.js), in headless
Chromium against the real server: the keys, the wheel, Plotly's zoom box and pan; labels are
not fetched again; a newer view cancels an older request; the axis ticks follow the view."""

import pytest

from tests.ui.test_browser import fresh_file, open_file, table_rows
from tests.ui.test_browser_labels import add_label

pytestmark = [pytest.mark.browser]

GRAPH = "document.querySelector('#graph .js-plotly-plot')"
RANGE = f"() => {GRAPH}._fullLayout.xaxis.range"


class Requests:
    """The page's requests that a view change could make, as they go out."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.failed: list[str] = []
        page.on("request", self._sent)
        page.on("requestfailed", lambda request: self.failed.append(request.url))

    def _sent(self, request):
        if any(
            part in request.url for part in ("/data/", "_dash-update-component", "/annotations")
        ):
            self.urls.append(request.url)

    def views(self) -> list[str]:
        return [url for url in self.urls if "view_start=" in url]

    def clear(self):
        self.urls.clear()
        self.failed.clear()


def drawn(page) -> dict:
    return page.evaluate(
        f"""() => {{ const gd = {GRAPH}; const x = gd.data[0].x;
          return {{range: gd._fullLayout.xaxis.range, first: x[0], last: x[x.length - 1],
                   points: x.length, typed: ArrayBuffer.isView(x),
                   ticks: gd._fullLayout.xaxis.ticktext || null,
                   width: gd._fullLayout._size.w}}; }}"""
    )


def wait_range(page, lo, hi, tolerance=0.05):
    page.wait_for_function(
        f"() => {{ const r = ({RANGE})(); return Math.abs(r[0] - {lo}) < {tolerance}"
        f" && Math.abs(r[1] - {hi}) < {tolerance}; }}"
    )


def settle(page):
    page.wait_for_timeout(400)


def test_a_key_zoom_is_one_binary_request_drawn_once(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)  # 0 .. 1999.9 s
    add_label(context, live_app, series_file, "Walk", 990.0, 1000.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 1)
    before = drawn(page)
    assert before["typed"] and before["points"] <= 2 * before["width"] * 1.25
    requests = Requests(page)
    page.mouse.click(5, 5)
    page.keyboard.press("+")
    page.wait_for_function(f"() => {GRAPH}._fullLayout.xaxis.range[1] < 1600")
    settle(page)
    (url,) = requests.urls  # no label request, no Dash callback
    assert "format=binary" in url and f"/api/files/{series_file['id']}/data/" in url
    px = int(url.split("px=")[1].split("&")[0])
    after = drawn(page)
    assert abs(px - after["width"] * 1.2) <= 2  # the plot's width and the margin on each side
    lo, hi = after["range"]
    assert (lo, hi) == pytest.approx((499.975, 1499.925), abs=0.01)
    assert after["first"] < lo and after["last"] > hi  # loaded a little beyond the view
    # the label is still drawn: it came from the browser's copy, not from a request
    shapes = page.evaluate(f"() => {GRAPH}.layout.shapes.map((s) => [s.x0, s.x1])")
    assert shapes == [[990.0, 1000.0]]


def test_wheel_zooms_around_the_pointer_with_one_request_per_notch(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    requests = Requests(page)
    box = page.evaluate(
        f"""() => {{ const gd = {GRAPH}, xa = gd._fullLayout.xaxis, r = gd.getBoundingClientRect();
          return [r.left + xa._offset + xa.d2p(500), r.top + gd._fullLayout._size.t + 40]; }}"""
    )
    page.mouse.move(*box)
    page.mouse.wheel(0, -100)  # one notch towards the screen: in
    page.wait_for_function(f"() => {GRAPH}._fullLayout.xaxis.range[1] < 1800")
    settle(page)
    lo, hi = drawn(page)["range"]
    assert len(requests.views()) == 1
    assert hi - lo == pytest.approx(1999.9 / 1.25, rel=0.01)
    assert (500 - lo) / (hi - lo) == pytest.approx(500 / 1999.9, rel=0.02)  # 500 s stays put


def test_a_newer_view_cancels_a_younger_request_and_the_last_view_wins(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    requests = Requests(page)
    page.mouse.click(5, 5)
    for _ in range(5):
        page.keyboard.press("+")
    width = 1999.9 / 32
    wait_range(page, 999.95 - width / 2, 999.95 + width / 2, tolerance=0.01)
    settle(page)
    assert len(requests.views()) <= 5
    assert "view_start" in requests.views()[-1]
    last = drawn(page)
    assert last["first"] <= last["range"][0] and last["last"] >= last["range"][1]


def plot_point(page, share: float) -> tuple[float, float]:
    """Page coordinates of a point `share` of the way across the plot, 40 px below its top."""
    return page.evaluate(
        f"""() => {{ const gd = {GRAPH}, r = gd.getBoundingClientRect(), s = gd._fullLayout._size;
          return [r.left + gd._fullLayout.xaxis._offset + s.w * {share}, r.top + s.t + 40]; }}"""
    )


def count_redraws(page):
    page.evaluate(
        f"() => {{ window.redraws = 0; {GRAPH}.on('plotly_afterplot', () => window.redraws++); }}"
    )


def zoomed_to_100_200(context, live_app, mode):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    page.locator(f".modebar-btn[data-val='{mode}']").first.click()
    page.evaluate(f"() => Plotly.relayout({GRAPH}, {{'xaxis.range': [100, 200]}})")
    wait_range(page, 100, 200)
    settle(page)
    count_redraws(page)
    return page, Requests(page)


def test_a_zoom_box_is_one_request_and_one_redraw(context, live_app):
    """The box is drawn over the plot while the mouse moves; the release asks for the box's view
    and the plot is redrawn once, with the new points (not the old ones first)."""
    page, requests = zoomed_to_100_200(context, live_app, "zoom")
    x, y = plot_point(page, 0.25)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*plot_point(page, 0.5), steps=5)
    assert page.locator("#zoom-box").is_visible()
    assert page.evaluate("() => window.redraws") == 0 and not requests.views()
    page.mouse.up()
    wait_range(page, 125, 150, tolerance=0.5)
    settle(page)
    assert page.locator("#zoom-box").is_hidden()
    assert len(requests.views()) == 1
    assert page.evaluate("() => window.redraws") == 1
    after = drawn(page)
    assert after["first"] < after["range"][0] and after["last"] > after["range"][1]
    assert not [u for u in requests.urls if "_dash-update-component" in u]


def test_a_narrow_zoom_box_zooms_nothing(context, live_app):
    page, requests = zoomed_to_100_200(context, live_app, "zoom")
    x, y = plot_point(page, 0.5)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 6, y, steps=3)
    page.mouse.up()
    settle(page)
    assert not requests.views()
    wait_range(page, 100, 200)


def test_a_pan_slides_the_points_then_draws_the_new_view_once(context, live_app):
    page, requests = zoomed_to_100_200(context, live_app, "pan")
    trace_layer = f"{GRAPH}.querySelector('.cartesianlayer .overplot .xy')"
    before = page.evaluate(f"() => {trace_layer}.getAttribute('transform')")
    x, y = plot_point(page, 0.5)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*plot_point(page, 0.25), steps=5)
    sliding = page.evaluate(f"() => {trace_layer}.getAttribute('transform')")
    assert sliding != before  # the points follow the mouse without a redraw or a request
    axis_layer = f"[...{GRAPH}.querySelectorAll('.xaxislayer-above')].pop()"
    assert page.evaluate(f"() => {axis_layer}.getAttribute('transform')")  # the time labels too
    assert page.evaluate("() => window.redraws") == 0 and not requests.views()
    page.mouse.up()
    wait_range(page, 125, 225, tolerance=0.5)
    settle(page)
    assert len(requests.views()) == 1
    assert page.evaluate("() => window.redraws") == 1
    assert page.evaluate(f"() => {trace_layer}.getAttribute('transform')") == before
    assert page.evaluate(f"() => {axis_layer}.getAttribute('transform')") is None
    after = drawn(page)
    assert after["first"] < after["range"][0] and after["last"] > after["range"][1]


def test_a_pan_stops_at_the_end_of_the_file(context, live_app):
    page, requests = zoomed_to_100_200(context, live_app, "pan")
    x, y = plot_point(page, 0.02)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*plot_point(page, 1.15), steps=5)  # 113 s back from 100: past the start
    page.mouse.up()
    wait_range(page, 0, 100, tolerance=0.5)


def test_in_pan_mode_a_click_adds_no_label_and_a_double_click_shows_the_file(context, live_app):
    page, requests = zoomed_to_100_200(context, live_app, "pan")
    labels = "() => Object.keys(window.TSL.labels.current().annotations || {}).length"
    page.keyboard.press("1")  # a label is active: in the labeling mode a click would add one
    page.wait_for_function("() => window.TSL.ctx.activeLabel !== null")
    before = page.evaluate(labels)
    x, y = plot_point(page, 0.5)
    page.mouse.click(x, y)
    settle(page)
    assert not requests.views()
    page.mouse.dblclick(x, y)
    wait_range(page, 0, 1999.9)
    settle(page)
    assert page.evaluate(labels) == before


def test_the_axis_speaks_in_durations_for_every_view(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    assert "0:00" in drawn(page)["ticks"]  # 33 minutes: minutes and seconds
    page.evaluate(f"() => Plotly.relayout({GRAPH}, {{'xaxis.range': [100, 112]}})")
    page.wait_for_function(f"() => ({GRAPH}._fullLayout.xaxis.ticktext || []).includes('1:50')")
    ticks = drawn(page)["ticks"]
    assert "1:44" in ticks and "1:46" in ticks  # a tick every 2 s, never raw seconds


def test_double_click_of_the_modebar_reset_shows_the_whole_file(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    page.evaluate(f"() => Plotly.relayout({GRAPH}, {{'xaxis.range': [100, 200]}})")
    wait_range(page, 100, 200)
    page.locator(".modebar-btn[data-val='reset']").first.click()
    wait_range(page, 0, 1999.9)
