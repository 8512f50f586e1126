"""The labeling screen in headless Chromium against a real ASGI server (Daphne, websockets):
log in, open a file, label by click-click / drag / double-click, delete, save, see another tab's
edits live, upload through the dialog, download the outputs ZIP."""

import io
import json
import time
import uuid
import zipfile

import pytest

from tests.ui.conftest import ADMIN, logged_in_state_of

pytestmark = [pytest.mark.browser]

GRAPH_READY = """() => {
  const gd = document.querySelector('#graph .js-plotly-plot');
  return !!(gd && gd.data && gd.data.length && gd.data[0].x.length && gd.__tslBound &&
            window.TSL.ctx.activeLabel);
}"""


# ---- helpers


def csrf_headers(context) -> dict:
    token = next(c["value"] for c in context.cookies() if c["name"] == "_csrf_token")
    return {"X-CSRFToken": token, "Referer": "http://127.0.0.1/"}


def api(context, live_app, path, method="get", **kwargs):
    url = f"{live_app.base_url}{path}"
    if method != "get":
        kwargs.setdefault("headers", {}).update(csrf_headers(context))
    response = getattr(context.request, method)(url, **kwargs)
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def demo_project(context, live_app) -> dict:
    return next(p for p in api(context, live_app, "/api/projects/") if "demo" in p["name"])


def demo_like_csv(rows: int) -> bytes:
    """10 Hz, time 0.0 .. (rows-1)/10, the six channels the demo project chooses."""
    lines = ["time,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"]
    lines += [
        f"{i / 10:.1f},{(i % 7) * 0.5:.2f},{(i % 3) - 1},{(i % 5) * 0.2:.1f},0,1,{i % 2}"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def fresh_file(context, live_app, rows=300, content=None) -> dict:
    """A new file in the demo project, so tests don't share labels (``content``: its CSV
    bytes, else ``rows`` rows of demo_like_csv)."""
    project = demo_project(context, live_app)
    name = f"ui-{uuid.uuid4().hex[:8]}.csv"
    answer = api(
        context,
        live_app,
        f"/api/projects/{project['id']}/files/",
        method="post",
        multipart={
            "files": {
                "name": name,
                "mimeType": "text/csv",
                "buffer": content or demo_like_csv(rows),
            }
        },
    )
    return answer["results"][0]["file"]


def open_file(context, live_app, series_file) -> object:
    page = context.new_page()
    page.goto(f"{live_app.base_url}/?project={series_file['project']}&file={series_file['id']}")
    page.wait_for_function(GRAPH_READY, timeout=30_000)
    page.wait_for_function(
        f"() => window.TSL.ctx.store && window.TSL.ctx.store.file === {series_file['id']}"
    )
    return page


def point(page, x, row=1):
    """Screen position of time x in the middle of stacked row `row`."""
    return page.evaluate(
        """([x, row]) => {
          const gd = document.querySelector('#graph .js-plotly-plot');
          const xa = gd._fullLayout.xaxis;
          const ya = gd._fullLayout[row === 1 ? 'yaxis' : 'yaxis' + row];
          const box = gd.getBoundingClientRect();
          return [box.left + xa._offset + xa.d2p(x), box.top + ya._offset + ya._length / 2];
        }""",
        [x, row],
    )


def click_at(page, x, row=1):
    px, py = point(page, x, row)
    page.mouse.move(px - 8, py)
    page.mouse.move(px, py, steps=3)  # a person hovers before clicking: Plotly clicks on hover
    page.wait_for_timeout(120)  # Plotly's hover is throttled
    page.mouse.click(px, py)


def stored(context, live_app, file_id, count, timeout_s=10.0) -> list[dict]:
    """Wait until the file's working state (the autosaved labels) holds `count` labels."""
    deadline = time.monotonic() + timeout_s
    while True:
        annotations = api(context, live_app, f"/api/files/{file_id}/annotations/")["annotations"]
        if len(annotations) == count or time.monotonic() > deadline:
            assert len(annotations) == count, annotations
            return annotations
        time.sleep(0.2)


def table_rows(page, count, timeout_ms=10_000):
    rows = page.locator("#annotation-table tbody tr:has(td)")
    page.wait_for_function(
        f"() => document.querySelectorAll('#annotation-table tbody tr td.dash-cell').length"
        f" / 7 === {count}",
        timeout=timeout_ms,
    )
    return rows


# ---- the tests


def test_log_in_pick_the_project_open_a_file_and_see_the_plot(browser, live_app, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{live_app.base_url}/")
    assert "/accounts/login/" in page.url  # login required
    page.fill("#id_username", ADMIN[0])
    page.fill("#id_password", ADMIN[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_app.base_url}/")
    page.locator("#project-select").get_by_text("BasicMotions demo").wait_for()
    page.locator("#file-list a", has_text="bm_dev_01.csv").click()
    page.wait_for_function(GRAPH_READY, timeout=30_000)
    assert "file=" in page.url
    traces = page.evaluate(
        "() => document.querySelector('#graph .js-plotly-plot').data.map(t => [t.name, t.x.length])"
    )
    assert [name for name, _ in traces] == ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    assert all(0 < points <= 4000 for _, points in traces)
    assert page.locator("#graph path.js-line").count() >= 6  # the lines are drawn
    table_rows(page, 13)  # the saved labels of the demo file
    shapes = page.evaluate(
        "() => document.querySelector('#graph .js-plotly-plot').layout.shapes.length"
    )
    assert shapes == 13
    assert page.locator("#label-picker button").count() == 3
    shot = tmp_path / "main.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 40_000  # a plot with lines and bands, not a blank page
    context.close()


def test_click_start_click_end_makes_a_range_and_esc_cancels(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    click_at(page, 2.0)
    marker_shown = "() => document.getElementById('pending-marker').style.display === 'block'"
    page.wait_for_function(marker_shown)
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !({marker_shown})()")
    click_at(page, 3.0)
    click_at(page, 6.0)
    (annotation,) = stored(context, live_app, series_file["id"], 1)
    assert annotation["label"] == "Walk" and not annotation["instant"]
    assert annotation["start"] == pytest.approx(3.0, abs=0.25)
    assert annotation["end"] == pytest.approx(6.0, abs=0.25)
    rows = table_rows(page, 1)
    assert "Walk" in rows.first.inner_text()
    # the new label is the selected one: the description input now belongs to it
    page.wait_for_function("() => window.TSL.ctx.selected")
    page.fill("#description-input", "first lap")
    page.press("#description-input", "Enter")
    deadline = time.monotonic() + 10
    while stored(context, live_app, series_file["id"], 1)[0]["description"] != "first lap":
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_drag_across_the_plot_makes_a_range(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    page.locator("#label-picker button", has_text="Badminton").click()
    x0, y = point(page, 10.0, row=2)
    x1, _ = point(page, 16.0, row=2)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=4)
    page.mouse.move(x1, y, steps=4)
    page.mouse.up()
    (annotation,) = stored(context, live_app, series_file["id"], 1)
    assert annotation["label"] == "Badminton"
    assert annotation["start"] == pytest.approx(10.0, abs=0.3)
    assert annotation["end"] == pytest.approx(16.0, abs=0.3)
    table_rows(page, 1)


def test_double_click_on_a_point_makes_an_instant(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    page.mouse.click(5, 5)  # the page has the focus, not an input
    page.keyboard.press("2")  # hotkey of the second label
    page.wait_for_selector("#label-picker button.is-active:has-text('Run')")
    px, py = point(page, 12.0, row=3)
    page.mouse.move(px - 8, py)
    page.mouse.move(px, py, steps=3)
    page.wait_for_timeout(120)  # Plotly's hover is throttled
    page.mouse.dblclick(px, py)
    (annotation,) = stored(context, live_app, series_file["id"], 1)
    assert annotation["label"] == "Run" and annotation["instant"]
    assert annotation["start"] == annotation["end"] == pytest.approx(12.0, abs=0.25)
    rows = table_rows(page, 1)
    assert "instant" in rows.first.inner_text()


def test_delete_from_the_table_and_undo(context, live_app):
    series_file = fresh_file(context, live_app)
    for start, end in ((1.0, 2.0), (4.0, 5.0), (8.0, 9.0)):
        api(
            context,
            live_app,
            f"/api/files/{series_file['id']}/annotations/",
            method="post",
            data={"label": "Walk", "start": start, "end": end},
        )
    page = open_file(context, live_app, series_file)
    rows = table_rows(page, 3)
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(2).locator("input[type=checkbox]").check()
    page.click("#delete-button")
    (left,) = stored(context, live_app, series_file["id"], 1)
    assert (left["start"], left["end"]) == (4.0, 5.0)
    table_rows(page, 1)
    page.click("#undo-button")
    stored(context, live_app, series_file["id"], 3)
    table_rows(page, 3)


def test_table_cells_edit_on_double_click_and_hotkeys_stay_hotkeys(context, live_app):
    series_file = fresh_file(context, live_app)
    api(
        context,
        live_app,
        f"/api/files/{series_file['id']}/annotations/",
        method="post",
        data={"label": "Walk", "start": 2.0, "end": 4.0},
    )
    page = open_file(context, live_app, series_file)
    row = table_rows(page, 1).first
    row.locator("td[data-dash-column=start]").click()  # selects the label, zooms to it
    page.wait_for_function(
        "() => { const r = document.querySelector('#graph .js-plotly-plot')._fullLayout"
        ".xaxis.range; return r[1] < 10; }"  # was 0 .. 29.9
    )
    page.keyboard.press("2")  # a hotkey, not "2" typed into the start cell
    page.wait_for_selector("#label-picker button.is-active:has-text('Run')")
    row.locator("td[data-dash-column=description]").dblclick()
    page.keyboard.type("left turn")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 10
    while True:
        (annotation,) = stored(context, live_app, series_file["id"], 1)
        if annotation["description"] == "left turn" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert annotation["description"] == "left turn"
    assert (annotation["start"], annotation["end"]) == (2.0, 4.0)


def test_save_writes_the_outputs(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    click_at(page, 3.0)
    click_at(page, 5.0)
    stored(context, live_app, series_file["id"], 1)
    page.locator("#file-status .tsl-pill-unsaved").wait_for()
    page.click("#save-button")
    page.locator(".tsl-toast", has_text="Saved 1 label").wait_for()
    page.locator("#file-status .tsl-pill-saved").wait_for()
    outputs = api(context, live_app, f"/api/projects/{series_file['project']}/outputs/")
    mine = next(o for o in outputs["outputs"] if o["file"] == series_file["id"])
    stem = f"{series_file['id']}~{series_file['name'][: -len('.csv')]}"
    assert {o["name"] for o in mine["outputs"]} == {
        f"{stem}_labels.csv",
        f"{stem}_labeled.csv",
        f"{stem}_labels.json",
    }


def test_two_pages_on_the_same_file_see_each_others_edits_live(context, live_app):
    two_pages_see_each_others_edits(context, live_app)


def test_live_edits_on_the_production_storage(browser, live_app_redis, tmp_path_factory):
    """Redis working state and the Redis publish/subscribe channel layer (docker compose)."""
    state = logged_in_state_of(browser, live_app_redis, tmp_path_factory)
    context = browser.new_context(storage_state=state, viewport={"width": 1440, "height": 900})
    try:
        two_pages_see_each_others_edits(context, live_app_redis)
    finally:
        context.close()


def two_pages_see_each_others_edits(context, live_app):
    series_file = fresh_file(context, live_app)
    first = open_file(context, live_app, series_file)
    second = open_file(context, live_app, series_file)
    second.wait_for_function("() => window.TSL.ctx.live")
    first.wait_for_function("() => window.TSL.ctx.live")
    click_at(first, 4.0)
    click_at(first, 7.0)
    stored(context, live_app, series_file["id"], 1)
    table_rows(second, 1, timeout_ms=5_000)  # pushed over the websocket, no reload
    # the table and the plot are updated by separate callbacks: the plot may come a moment later
    second.wait_for_function(
        "() => document.querySelector('#graph .js-plotly-plot').layout.shapes.length === 1",
        timeout=5_000,
    )
    second.locator("#annotation-table tbody tr:has(td) input[type=checkbox]").first.check()
    second.click("#delete-button")
    stored(context, live_app, series_file["id"], 0)
    table_rows(first, 0, timeout_ms=5_000)


def test_upload_dialog_shows_accepted_and_rejected_files(context, live_app):
    page = context.new_page()
    page.goto(f"{live_app.base_url}/")
    page.locator("#project-select").get_by_text("BasicMotions demo").wait_for()
    page.wait_for_function("() => window.TSL.ctx.project")
    page.click("#upload-open")
    page.wait_for_selector("#upload-dialog:not([hidden])")
    good = f"upload-{uuid.uuid4().hex[:6]}.csv"
    page.set_input_files(
        "#upload #upload-files",
        [
            {"name": good, "mimeType": "text/csv", "buffer": demo_like_csv(50)},
            {"name": "empty.csv", "mimeType": "text/csv", "buffer": b""},
        ],
    )
    results = page.locator("#upload-results li")
    results.nth(1).wait_for()
    assert results.count() == 2
    accepted = page.locator("#upload-results li.is-accepted")
    rejected = page.locator("#upload-results li.is-rejected")
    assert good in accepted.inner_text() and "50 rows" in accepted.inner_text()
    assert "empty.csv" in rejected.inner_text() and "rejected" in rejected.inner_text().lower()
    assert page.evaluate("() => document.getElementById('upload-progress').value") == 100
    page.keyboard.press("Escape")
    page.locator("#file-list a", has_text=good).wait_for()


def test_download_outputs_gives_a_zip_of_the_chosen_files(context, live_app):
    page = context.new_page()
    page.goto(f"{live_app.base_url}/")
    page.locator("#project-select").get_by_text("BasicMotions demo").wait_for()
    page.click("#download-button")
    page.wait_for_selector("#download-dialog:not([hidden])")
    page.locator("#download-list label", has_text="bm_dev_01.csv").click()
    page.locator("#download-list label", has_text="bm_dev_02.csv").click()
    with page.expect_download() as download_info:
        page.click("#download-confirm")
    with open(download_info.value.path(), "rb") as downloaded:
        archive = zipfile.ZipFile(io.BytesIO(downloaded.read()))
    names = archive.namelist()
    assert any(n.endswith("bm_dev_01_labels.csv") for n in names)
    assert any(n.endswith("bm_dev_02_labeled.csv") for n in names)
    assert not any("bm_dev_03" in n for n in names)
    task = json.loads(archive.read(next(n for n in names if n.endswith("bm_dev_01_labels.json"))))
    assert task  # a Label Studio task


def test_a_signed_out_page_says_so_instead_of_pretending_to_store(browser, live_app):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{live_app.base_url}/accounts/login/")
    page.fill("#id_username", ADMIN[0])
    page.fill("#id_password", ADMIN[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_app.base_url}/")
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    page.evaluate(
        "() => fetch('/accounts/logout/', {method: 'POST', headers: "
        "{'X-CSRFToken': document.cookie.match(/_csrf_token=([^;]+)/)[1]}})"
    )
    click_at(page, 3.0)
    click_at(page, 5.0)
    page.locator(".tsl-toast-error", has_text="signed out").wait_for()
    assert "NOT stored" in page.inner_text("#autosave-status")
    context.close()


def test_zoom_loads_a_finer_window_of_a_large_file(context, live_app):
    series_file = fresh_file(context, live_app, rows=20_000)  # 0.0 .. 1999.9 s
    page = open_file(context, live_app, series_file)
    points = page.evaluate(
        "() => document.querySelector('#graph .js-plotly-plot').data[0].x.length"
    )
    assert points <= 4000  # 20,000 rows, downsampled
    assert "showing" in page.inner_text("#file-status")
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [1000, 1050]})"
    )
    page.wait_for_function(
        "() => { const d = document.querySelector('#graph .js-plotly-plot').data[0];"
        " return d.x[0] >= 990 && d.x[d.x.length - 1] <= 1060; }"
    )
    zoomed = page.evaluate(
        "() => { const d = document.querySelector('#graph .js-plotly-plot').data[0];"
        " return [d.x.length, Math.round((d.x[1] - d.x[0]) * 10) / 10]; }"
    )
    assert zoomed == [601, 0.1]  # every row of 995 .. 1055 s: 50 s and 10 % on each side


def test_upload_a_whole_folder(context, live_app, tmp_path):
    folder = tmp_path / "session-3"
    (folder / "more").mkdir(parents=True)
    names = [f"dir-{uuid.uuid4().hex[:6]}.csv", f"dir-{uuid.uuid4().hex[:6]}.csv"]
    (folder / names[0]).write_bytes(demo_like_csv(40))
    (folder / "more" / names[1]).write_bytes(demo_like_csv(60))
    (folder / "notes.txt").write_text("not data")
    page = context.new_page()
    page.goto(f"{live_app.base_url}/")
    page.wait_for_function("() => window.TSL.ctx.project")
    page.click("#upload-open")
    page.set_input_files("#upload #upload-directory", str(folder))
    page.locator("#upload-results li.is-accepted").nth(1).wait_for()
    text = page.inner_text("#upload-results")
    assert names[0] in text and names[1] in text and "notes.txt" not in text
    assert "1 other files skipped" in page.inner_text("#upload-progress-text")


def test_a_stale_edit_is_refused_and_the_current_labels_shown(context, live_app):
    series_file = fresh_file(context, live_app)
    label = api(
        context,
        live_app,
        f"/api/files/{series_file['id']}/annotations/",
        method="post",
        data={"label": "Walk", "start": 2.0, "end": 4.0},
    )
    offline = context.new_page()
    offline.add_init_script("window.WebSocket = undefined")  # misses the other tab's pushes
    offline.goto(f"{live_app.base_url}/?project={series_file['project']}&file={series_file['id']}")
    offline.wait_for_function(GRAPH_READY, timeout=30_000)
    table_rows(offline, 1)
    api(
        context,
        live_app,
        f"/api/files/{series_file['id']}/annotations/{label['id']}/",
        method="patch",
        data={"description": "from the other tab", "version": 1},
    )
    offline.locator("#annotation-table tbody tr:has(td) td[data-dash-column=kind]").click()
    offline.locator("#description-hint", has_text="Selected").wait_for()  # as a person sees it
    offline.fill("#description-input", "mine")
    offline.press("#description-input", "Enter")
    offline.locator(".tsl-toast-error", has_text="changed this label").wait_for()
    (stored_label,) = stored(context, live_app, series_file["id"], 1)
    assert stored_label["description"] == "from the other tab"  # not overwritten
    offline.locator(
        "#annotation-table td[data-dash-column=description]", has_text="from the other tab"
    ).wait_for()
