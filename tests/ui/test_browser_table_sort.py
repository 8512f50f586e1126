"""The label table sorted by score (least sure model labels first): a row click, ticks, Keep,
Delete and cell edits still act on the label of the row shown, in headless Chromium against the
real server."""

import pytest

from tests.ui.test_browser import fresh_file, open_file, table_rows
from tests.ui.test_browser_labels import add_label, add_model_labels, selected_id, wait_stored

pytestmark = [pytest.mark.browser]

ROWS = "#annotation-table tbody tr:has(td.dash-cell)"
SHOWN_STARTS = f"""() => [...document.querySelectorAll('{ROWS}')]
  .map(row => row.querySelector('td[data-dash-column=start]').innerText.trim())"""
TICKED = "() => window.TSL.ctx.ticked"


def row_of(page, start):
    """The table row shown for the label starting at ``start``."""
    return page.locator(ROWS).nth(page.evaluate(SHOWN_STARTS).index(start))


def by_start(labels):
    return {label["start"]: label for label in labels}


def test_sorting_by_score_keeps_selection_ticks_keep_delete_and_edits_on_the_right_label(
    context, live_app
):
    series_file = fresh_file(context, live_app)
    add_label(context, live_app, series_file, "Walk", 1.0, 2.0)
    add_model_labels(live_app, series_file, {5.0: 0.9, 10.0: 0.3, 15.0: 0.6, 20.0: 0.45})
    page = open_file(context, live_app, series_file)
    table_rows(page, 5)
    ids = {
        a["start"]: a["id"] for a in page.evaluate("() => Object.values(TSL.ctx.store.annotations)")
    }
    assert page.evaluate(SHOWN_STARTS) == ["1", "5", "10", "15", "20"]  # by start

    page.locator("#annotation-table th[data-dash-column=score] .column-header--sort").click()
    page.wait_for_function(
        f"() => {{ const s = ({SHOWN_STARTS})().filter(x => x !== '1');"
        " return s.join() === '10,20,15,5'; }"
    )  # the least sure first

    row_of(page, "10").locator("td[data-dash-column=end]").click()  # a click selects its label
    page.wait_for_function(
        f"() => window.TSL.ctx.selected && TSL.ctx.selected.id === '{ids[10.0]}'"
    )
    assert selected_id(page) == ids[10.0]

    for start in ("10", "20"):  # the two least sure, at the top
        row_of(page, start).locator("input[type=checkbox]").check()
    page.wait_for_function(f"() => ({TICKED})().length === 2")
    assert sorted(page.evaluate(TICKED)) == sorted([ids[10.0], ids[20.0]])
    page.click("#keep-button")
    kept = by_start(
        wait_stored(
            context,
            live_app,
            series_file["id"],
            lambda a: (
                by_start(a)[10.0]["source"] == "manual" and by_start(a)[20.0]["source"] == "manual"
            ),
        )
    )
    assert kept[5.0]["source"] != "manual" and kept[15.0]["source"] != "manual"
    page.wait_for_function(  # the table shows the kept labels as a person's
        f"""() => [...document.querySelectorAll('{ROWS}')].filter(row =>
          row.querySelector('td[data-dash-column=source]').innerText.trim() === 'manual')
          .length === 3"""
    )

    row_of(page, "15").locator("input[type=checkbox]").check()
    page.wait_for_function(f"() => ({TICKED})().length === 1")
    assert page.evaluate(TICKED) == [ids[15.0]]
    page.click("#delete-button")
    left = by_start(wait_stored(context, live_app, series_file["id"], lambda a: len(a) == 4))
    assert sorted(left) == [1.0, 5.0, 10.0, 20.0]
    table_rows(page, 4)

    row_of(page, "5").locator("td[data-dash-column=description]").dblclick()
    page.keyboard.type("checked by eye")
    page.keyboard.press("Enter")
    edited = by_start(
        wait_stored(
            context,
            live_app,
            series_file["id"],
            lambda a: by_start(a)[5.0]["description"] == "checked by eye",
        )
    )
    assert [s for s, a in edited.items() if a["description"]] == [5.0]
