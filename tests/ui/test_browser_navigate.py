"""Moving through a recording and reviewing model labels with the keyboard alone, in headless
Chromium against the real server."""

import pytest

from tests.ui.test_browser import fresh_file, open_file, table_rows
from tests.ui.test_browser_labels import add_label, add_model_labels, wait_stored

pytestmark = [pytest.mark.browser]

RANGE = "() => document.querySelector('#graph .js-plotly-plot')._fullLayout.xaxis.range"
SELECTED = "() => window.TSL.ctx.selected && window.TSL.ctx.selected.id"


def wait_range(page, lo, hi, tolerance=0.05):
    page.wait_for_function(
        f"() => {{ const r = ({RANGE})(); return Math.abs(r[0] - {lo}) < {tolerance}"
        f" && Math.abs(r[1] - {hi}) < {tolerance}; }}"
    )


def wait_selected(page, annotation_id):
    page.wait_for_function(f"() => ({SELECTED})() === '{annotation_id}'")


def test_arrows_plus_minus_home_end_move_the_view(context, live_app):
    series_file = fresh_file(context, live_app)  # 0.0 .. 29.9 s
    page = open_file(context, live_app, series_file)
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [10, 14]})"
    )
    wait_range(page, 10, 14)
    page.mouse.click(5, 5)
    page.keyboard.press("ArrowRight")
    wait_range(page, 12, 16)
    page.keyboard.press("ArrowLeft")
    wait_range(page, 10, 14)
    page.keyboard.press("+")
    wait_range(page, 11, 13)
    page.keyboard.press("-")
    wait_range(page, 10, 14)
    page.keyboard.press("End")
    wait_range(page, 25.9, 29.9)
    page.keyboard.press("Home")
    wait_range(page, 0, 4)


def test_n_and_p_select_the_next_and_previous_label_and_bring_it_into_view(context, live_app):
    series_file = fresh_file(context, live_app)
    first = add_label(context, live_app, series_file, "Walk", 2.0, 3.0)
    second = add_label(context, live_app, series_file, "Walk", 20.0, 21.0)
    page = open_file(context, live_app, series_file)
    table_rows(page, 2)
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('#graph .js-plotly-plot'),"
        " {'xaxis.range': [0, 4]})"
    )
    wait_range(page, 0, 4)
    page.mouse.click(5, 5)
    page.keyboard.press("n")
    wait_selected(page, first["id"])
    page.keyboard.press("n")
    wait_selected(page, second["id"])
    page.wait_for_function(f"() => {{ const r = ({RANGE})(); return r[0] <= 20 && r[1] >= 21; }}")
    page.keyboard.press("p")
    wait_selected(page, first["id"])


def test_model_labels_are_reviewed_with_the_keyboard_alone(context, live_app):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 1.0, 2.0)
    add_model_labels(live_app, series_file, {5.0: 0.9, 10.0: 0.3, 15.0: 0.6})
    page = open_file(context, live_app, series_file)
    table_rows(page, 4)
    model = {
        a["start"]: a["id"]
        for a in page.evaluate("() => Object.values(window.TSL.ctx.store.annotations)")
    }
    page.mouse.click(5, 5)
    page.keyboard.press("u")  # the least confident first
    wait_selected(page, model[10.0])
    page.keyboard.press("Enter")  # keep it: the next least confident is selected
    wait_selected(page, model[15.0])
    page.keyboard.press("Delete")  # reject it
    wait_selected(page, model[5.0])
    page.keyboard.press("Enter")
    labels = wait_stored(
        context,
        live_app,
        series_file["id"],
        lambda a: len(a) == 3 and all(x["source"] == "manual" for x in a),
    )
    assert sorted(x["start"] for x in labels) == [1.0, 5.0, 10.0]
    page.locator(".tsl-toast", has_text="Every model label of this file is reviewed").wait_for()
