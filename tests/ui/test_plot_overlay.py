"""The labels drawn over the plot (plotview.js labelOverlay), run in headless Chromium without a
server: the screen's scripts on a blank page."""

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "labeler" / "static" / "labeler"
PROJECT = {
    "labels": [
        {"name": "Walk", "color": "#1f77b4", "hotkey": "1", "kind": "range"},
        {"name": "Fall", "color": "#d62728", "hotkey": "2", "kind": "instant"},
    ]
}


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    for script in ("ui.js", "plotview.js"):
        page.add_script_tag(path=str(STATIC / script))
    yield page
    context.close()


def overlay(page, annotations, view, selected=None, time_kind="numeric", project=PROJECT):
    store = {"file": 7, "version": 1, "annotations": {a["id"]: a for a in annotations}}
    return page.evaluate(
        """([store, view, selected, kind, project]) => {
            const range = view.map((v) => kind === "datetime" ? TSL.plotWindow.msOf(v) : v);
            return TSL.plot.labelOverlay({store, selected, project}, range, kind);
        }""",
        [store, view, selected and {"file": 7, "id": selected}, time_kind, project],
    )


def annotation(annotation_id, label, start, end, **extra):
    return {
        "id": annotation_id,
        "label": label,
        "start": start,
        "end": end,
        "instant": start == end,
        "description": extra.pop("description", ""),
        "source": "manual",
        "score": None,
        "version": 1,
        **extra,
    }


def test_bands_lines_and_texts(page):
    drawn = overlay(
        page,
        [annotation("r", "Walk", 1.0, 3.0, description="left turn"), annotation("i", "Fall", 5, 5)],
        [0, 10],
    )
    band, line = drawn["shapes"]
    assert band["type"] == "rect" and (band["x0"], band["x1"]) == (1.0, 3.0)
    assert band["fillcolor"] == "#1f77b4" and band["yref"] == "paper"
    assert line["type"] == "line" and line["x0"] == line["x1"] == 5
    assert line["line"]["color"] == "#d62728"
    assert [t["text"] for t in drawn["annotations"]] == ["Walk", "Fall"]
    assert drawn["annotations"][0]["hovertext"] == "left turn"


def test_model_labels_are_dashed_paler_and_show_their_score(page):
    drawn = overlay(
        page,
        [
            annotation("m", "Walk", 1.0, 2.0),
            annotation("p", "Walk", 4.0, 6.0, source="walk-net", score=0.8731),
            annotation("q", "Fall", 7.0, 7.0, source="walk-net", score=0.5),
        ],
        [0, 10],
    )
    manual_band, model_band, model_line = drawn["shapes"]
    assert model_band["line"]["dash"] == "dash" and "dash" not in manual_band["line"]
    assert model_band["opacity"] < manual_band["opacity"]
    assert model_line["line"]["dash"] == "dot"
    assert drawn["annotations"][1]["text"] == "<i>Walk 87%</i>"


def test_the_selected_label_is_outlined(page):
    drawn = overlay(
        page, [annotation("a", "Walk", 1.0, 2.0), annotation("b", "Walk", 3.0, 4.0)], [0, 10], "b"
    )
    assert drawn["shapes"][1]["line"] == {"color": "#0f172a", "width": 2, "dash": "solid"}
    assert drawn["annotations"][1]["text"] == "<b>Walk</b>"


def test_only_the_view_is_drawn_and_the_rest_is_said(page):
    many = [annotation(f"a{n:04d}", "Walk", float(n), n + 1.5) for n in range(1000)]
    drawn = overlay(page, many, [100.0, 900.0])
    limit = page.evaluate("TSL.plot.maxDrawnLabels")
    assert len(drawn["shapes"]) == limit
    assert drawn["shapes"][0]["x0"] == 99.0  # overlaps the view's start
    assert "more labels" in drawn["annotations"][-1]["text"]
    assert overlay(page, many, [2000.0, 3000.0]) == {"shapes": [], "annotations": []}


def test_crowded_texts_take_a_second_row(page):
    drawn = overlay(
        page, [annotation("a", "Walk", 1.0, 2.0), annotation("b", "Walk", 1.2, 3)], [0, 100]
    )
    first, second = drawn["annotations"]
    assert "yshift" not in first and second["yshift"] < 0


def test_an_unknown_label_gets_the_fallback_color(page):
    drawn = overlay(page, [annotation("a", "Gone", 1.0, 2.0)], [0, 10])
    assert drawn["shapes"][0]["fillcolor"] == page.evaluate("TSL.plot.fallbackLabelColor")


def test_names_and_descriptions_are_not_markup(page):
    drawn = overlay(
        page,
        [annotation("a", '<a href="http://x">Walk</a>', 1.0, 2.0, description="<i>hi</i>")],
        [0, 10],
    )
    assert drawn["annotations"][0]["text"].startswith("&lt;a href=")
    assert drawn["annotations"][0]["hovertext"] == "&lt;i&gt;hi&lt;/i&gt;"


def test_date_time_labels_are_drawn_on_the_files_clock(page):
    drawn = overlay(
        page,
        [
            annotation("a", "Walk", "2024-01-01T00:00:01Z", "2024-01-01T00:00:02.5Z"),
            annotation("b", "Walk", "2024-01-01T01:00:00Z", "2024-01-01T01:00:01Z"),
        ],
        ["2024-01-01T00:00:00Z", "2024-01-01T00:10:00Z"],
        time_kind="datetime",
    )
    assert [(s["x0"], s["x1"]) for s in drawn["shapes"]] == [
        ("2024-01-01T00:00:01", "2024-01-01T00:00:02.5")
    ]


def test_binary_window_times_keep_sub_millisecond_precision(page):
    ms = page.evaluate("TSL.plotWindow.msOf('2024-01-02T03:04:05.123456789Z')")
    assert ms == pytest.approx(1704164645123.456789, abs=1e-3)
    assert page.evaluate("TSL.plotWindow.msOf('2024-01-02T03:04:05')") == 1704164645000
