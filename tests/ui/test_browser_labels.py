"""Labels on the plot are objects, and the table follows them: in headless Chromium against the
real server. Select a band or an instant by clicking it, drag an edge, the middle or an instant
line, relabel with a hotkey, Delete, undo/redo of a drag, tick all / model labels + Keep."""

import time

import pytest

from tests.ui.test_browser import api, fresh_file, open_file, point, stored, table_rows

pytestmark = [pytest.mark.browser]

SELECTED_ROW_BACKGROUND = "rgb(224, 231, 255)"


def add_label(context, live_app, series_file, label, start, end) -> dict:
    return api(
        context,
        live_app,
        f"/api/files/{series_file['id']}/annotations/",
        method="post",
        data={"label": label, "start": start, "end": end},
    )


def add_model_labels(live_app, series_file, scores_by_start, label="Run"):
    """Labels a model proposed (source and score are never accepted from a client)."""
    creates = ", ".join(
        f"AnnotationChange('create', None, {{'label': '{label}', 'start': {start},"
        f" 'end': {start + 1}}}, source='model-a', score={score})"
        for start, score in scores_by_start.items()
    )
    live_app.manage(
        "shell",
        "-c",
        "from labeler.models import SeriesFile\n"
        "from labeler.services.annotations import AnnotationChange, annotation_changes_apply\n"
        f"f = SeriesFile.objects.get(id={series_file['id']})\n"
        f"annotation_changes_apply(series_file=f, user=None, changes=[{creates}])\n",
    )


def drag(page, x_from, x_to, row=1):
    x0, y = point(page, x_from, row)
    x1, _ = point(page, x_to, row)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=4)
    page.mouse.move(x1, y, steps=4)
    page.mouse.up()


def press_at(page, x, row=1):
    px, py = point(page, x, row)
    page.mouse.move(px, py)
    page.mouse.down()
    page.mouse.up()


def wait_stored(context, live_app, file_id, check, timeout_s=10.0) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while True:
        labels = api(context, live_app, f"/api/files/{file_id}/annotations/")["annotations"]
        if check(labels):
            return labels
        assert time.monotonic() < deadline, labels
        time.sleep(0.2)


def selected_id(page):
    return page.evaluate("() => window.TSL.ctx.selected && window.TSL.ctx.selected.id")


def is_sample(value, rate_hz=10):
    return abs(value * rate_hz - round(value * rate_hz)) < 1e-6


def test_clicking_a_band_selects_it_and_highlights_its_row(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 2.0, 3.0)
    walk = add_label(context, live_app, series_file, "Walk", 4.0, 8.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 2)
    press_at(page, 6.0)
    page.wait_for_function(
        f"() => window.TSL.ctx.selected && window.TSL.ctx.selected.id === '{walk['id']}'"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('#annotation-table tbody tr')].some(r =>"
        f" [...r.querySelectorAll('td.dash-cell')].some(td => getComputedStyle(td).backgroundColor"
        f" === '{SELECTED_ROW_BACKGROUND}'))"
    )
    page.wait_for_timeout(500)
    assert len(stored(context, live_app, series_file["id"], 2)) == 2  # no new range was started
    # and the other way: a table row selects its label, outlined on the plot
    table_rows(page, 2).nth(0).locator("td[data-dash-column=kind]").click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('#graph .js-plotly-plot');"
        " return (gd.layout.shapes || []).some(s => s.x0 === 2 && s.line"
        " && s.line.color === '#0f172a'); }"
    )
    assert selected_id(page) != walk["id"]
    assert page.evaluate(
        "() => document.getElementById('pending-marker') === null ||"
        " document.getElementById('pending-marker').style.display !== 'block'"
    )


def test_dragging_an_edge_moves_that_bound_onto_a_sample(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 4.0, 8.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 1)
    drag(page, 8.0, 11.03)
    (walk,) = wait_stored(context, live_app, series_file["id"], lambda a: a[0]["end"] != 8.0)
    assert walk["start"] == 4.0
    assert walk["end"] == pytest.approx(11.0, abs=0.3) and is_sample(walk["end"])
    drag(page, 4.0, 2.0)
    (walk,) = wait_stored(context, live_app, series_file["id"], lambda a: a[0]["start"] != 4.0)
    assert walk["start"] == pytest.approx(2.0, abs=0.3) and is_sample(walk["start"])
    assert walk["end"] == pytest.approx(11.0, abs=0.3)


def test_dragging_the_middle_moves_the_band_and_undo_redo_replay_it(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 4.0, 8.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 1)
    drag(page, 6.0, 9.0)
    (walk,) = wait_stored(context, live_app, series_file["id"], lambda a: a[0]["start"] != 4.0)
    assert walk["start"] == pytest.approx(7.0, abs=0.3) and is_sample(walk["start"])
    assert walk["end"] - walk["start"] == pytest.approx(4.0, abs=0.11)
    moved = (walk["start"], walk["end"])
    page.mouse.click(5, 5)
    page.keyboard.press("Control+z")
    wait_stored(
        context, live_app, series_file["id"], lambda a: (a[0]["start"], a[0]["end"]) == (4.0, 8.0)
    )
    page.keyboard.press("Control+Shift+z")
    wait_stored(
        context, live_app, series_file["id"], lambda a: (a[0]["start"], a[0]["end"]) == moved
    )


def test_dragging_an_instant_line_moves_it(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Run", 12.0, 12.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 1)
    drag(page, 12.0, 15.0, row=3)
    (run,) = wait_stored(context, live_app, series_file["id"], lambda a: a[0]["start"] != 12.0)
    assert run["instant"] and run["start"] == run["end"]
    assert run["start"] == pytest.approx(15.0, abs=0.3) and is_sample(run["start"])


def test_a_hotkey_relabels_the_selected_label_and_delete_removes_it(context, live_app):
    series_file = fresh_file(context, live_app)
    walk = add_label(context, live_app, series_file, "Walk", 4.0, 8.0)
    add_label(context, live_app, series_file, "Walk", 12.0, 14.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 2)
    press_at(page, 6.0)
    page.wait_for_function(f"() => (window.TSL.ctx.selected || {{}}).id === '{walk['id']}'")
    page.keyboard.press("3")  # Badminton
    wait_stored(
        context,
        live_app,
        series_file["id"],
        lambda a: [x["label"] for x in a] == ["Badminton", "Walk"],
    )
    page.keyboard.press("Delete")
    (left,) = wait_stored(context, live_app, series_file["id"], lambda a: len(a) == 1)
    assert (left["label"], left["start"]) == ("Walk", 12.0)
    table_rows(page, 1)


def test_a_digit_typed_into_the_description_stays_text(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    page.wait_for_function("() => window.TSL.ctx.activeLabel === 'Walk'")
    page.click("#description-input")
    page.keyboard.type("lap 2")
    assert page.input_value("#description-input") == "lap 2"
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.TSL.ctx.activeLabel") == "Walk"


def test_label_mode_comes_back_from_pan_and_no_cloud_button(context, live_app):
    series_file = fresh_file(context, live_app)
    page = open_file(context, live_app, series_file)
    page.locator("#graph").hover()
    page.locator(".modebar-btn[data-attr='dragmode'][data-val='pan']").click()
    dragmode = "() => document.querySelector('#graph .js-plotly-plot')._fullLayout.dragmode"
    assert page.evaluate(dragmode) == "pan"
    page.wait_for_function(
        "() => !document.getElementById('label-mode').classList.contains('is-active')"
    )
    page.click("#label-mode")
    page.wait_for_function(f"() => ({dragmode})() === 'select'")
    assert page.locator("#label-mode.is-active").count() == 1
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.modebar-btn')]"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert not [t for t in titles if t and ("Cloud" in t or "Chart Studio" in t)], titles


def test_tick_model_labels_then_keep_clears_the_ticks(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 1.0, 2.0)
    add_model_labels(live_app, series_file, {5.0: 0.5, 9.0: 0.5})
    page = open_file(context, live_app, series_file)
    table_rows(page, 3)
    page.click("#select-model")
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-table input[type=checkbox]:checked')"
        ".length === 2"
    )
    page.click("#keep-button")
    wait_stored(
        context,
        live_app,
        series_file["id"],
        lambda a: all(x["source"] == "manual" for x in a),
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-table input[type=checkbox]:checked')"
        ".length === 0"
    )
    page.click("#delete-button")  # nothing ticked, nothing selected: nothing is deleted
    page.wait_for_timeout(500)
    assert len(stored(context, live_app, series_file["id"], 3)) == 3
    page.click("#select-all")
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-table input[type=checkbox]:checked')"
        ".length === 3"
    )


def test_no_overlap_project_trims_the_covered_label_and_undo_restores_it(context, live_app):
    from tests.ui.test_browser import demo_like_csv

    project = api(
        context,
        live_app,
        "/api/projects/",
        method="post",
        data={
            "name": f"No overlap {time.time_ns()}",
            "labels": ["Walk", "Run"],
            "no_overlap": True,
        },
    )
    upload = api(
        context,
        live_app,
        f"/api/projects/{project['id']}/files/",
        method="post",
        multipart={
            "files": {"name": "ranges.csv", "mimeType": "text/csv", "buffer": demo_like_csv(300)}
        },
    )
    series_file = upload["results"][0]["file"]
    add_label(context, live_app, series_file, "Walk", 4.0, 10.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 1)
    page.keyboard.press("2")
    page.wait_for_function("() => window.TSL.ctx.activeLabel === 'Run'")
    drag(page, 14.0, 8.0, row=2)  # from outside the band: a press inside it would take it
    labels = wait_stored(context, live_app, series_file["id"], lambda a: len(a) == 2)
    walk = next(a for a in labels if a["label"] == "Walk")
    run = next(a for a in labels if a["label"] == "Run")
    assert walk["start"] == 4.0 and walk["end"] < run["start"]
    assert walk["end"] == pytest.approx(run["start"] - 0.1, abs=1e-9)  # the row before
    page.mouse.click(5, 5)
    page.keyboard.press("Control+z")
    (restored,) = wait_stored(context, live_app, series_file["id"], lambda a: len(a) == 1)
    assert (restored["label"], restored["start"], restored["end"]) == ("Walk", 4.0, 10.0)
