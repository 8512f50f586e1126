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


def test_plotlys_zoom_box_and_pan_load_the_new_view(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)
    page = open_file(context, live_app, series_file)
    requests = Requests(page)
    page.locator(".modebar-btn[data-val='zoom']").first.click()
    page.evaluate(f"() => Plotly.relayout({GRAPH}, {{'xaxis.range': [100, 200]}})")
    wait_range(page, 100, 200)
    settle(page)
    assert len(requests.views()) == 1
    requests.clear()
    page.locator(".modebar-btn[data-val='pan']").first.click()
    y = page.evaluate(
        f"() => {GRAPH}.getBoundingClientRect().top + {GRAPH}._fullLayout._size.t + 40"
    )
    x = page.evaluate(
        f"() => {{ const gd = {GRAPH}; const r = gd.getBoundingClientRect();"
        " return r.left + gd._fullLayout.xaxis._offset + gd._fullLayout._size.w / 2; }"
    )
    width = page.evaluate(f"() => {GRAPH}._fullLayout._size.w")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - width / 4, y, steps=5)
    page.mouse.up()
    page.wait_for_function(f"() => {GRAPH}._fullLayout.xaxis.range[0] > 120")
    settle(page)
    assert len(requests.views()) == 1
    after = drawn(page)
    assert after["range"][0] == pytest.approx(125, abs=1)
    assert after["first"] < after["range"][0] and after["last"] > after["range"][1]
    assert not [u for u in requests.urls if "_dash-update-component" in u]


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
