"""Figure builders of the labeling screen (labeler/dash_ui/figures.py): plain data in, Plotly
figure dicts out."""

import json

from labeler.dash_ui import figures

META = {
    "id": 7,
    "time_kind": "numeric",
    "time_column": "time",
    "time_start": 0.0,
    "time_end": 9.0,
    "channels": ["a", "b", "c"],
}
LABELS = [
    {"name": "Walk", "color": "#1f77b4", "hotkey": "1", "kind": "range"},
    {"name": "Fall", "color": "#d62728", "hotkey": "2", "kind": "instant"},
]


def test_stacked_figure_has_one_row_per_channel_sharing_x():
    figure = figures.series_figure(file_meta=META, mode="stacked", view=[0.0, 2.0])
    assert [t["name"] for t in figure["data"]] == ["a", "b", "c"]
    assert [(t["xaxis"], t["yaxis"]) for t in figure["data"]] == [
        ("x", "y"),
        ("x2", "y2"),
        ("x3", "y3"),
    ]
    layout = figure["layout"]
    assert layout["xaxis2"]["matches"] == "x" and layout["xaxis3"]["matches"] == "x"
    # the whole file is the overview strip's (overview.js), not a range slider's
    assert not any("rangeslider" in layout[k] for k in ("xaxis", "xaxis2", "xaxis3"))
    assert layout["xaxis"]["range"] == [0.0, 2.0]
    domains = [layout[k]["domain"] for k in ("yaxis", "yaxis2", "yaxis3")]
    assert domains[0][1] == 1 and domains[-1][0] == 0
    assert all(upper[0] > lower[1] for upper, lower in zip(domains, domains[1:], strict=False))
    assert all(layout[k]["fixedrange"] for k in ("yaxis", "yaxis2", "yaxis3"))
    assert layout["dragmode"] == "select" and layout["selectdirection"] == "h"
    assert figure["data"][0]["y"] == [] and figure["data"][0]["meta"] == "a"  # points: plotview.js
    assert "uirevision" not in layout  # every draw states the view: none is kept behind it
    json.dumps(figure)  # JSON-ready as it is


def test_overlaid_figure_puts_every_channel_on_one_axis_with_a_legend():
    figure = figures.series_figure(file_meta=META, mode="overlaid", view=[0.0, 2.0])
    assert {(t["xaxis"], t["yaxis"]) for t in figure["data"]} == {("x", "y")}
    assert figure["layout"]["showlegend"] is True
    assert "xaxis2" not in figure["layout"]
    assert "rangeslider" not in figure["layout"]["xaxis"]


def test_datetime_figure_uses_date_axes_without_zone_suffix():
    meta = {
        **META,
        "time_kind": "datetime",
        "time_start": "2024-01-01T00:00:00Z",
        "time_end": "2024-01-01T00:00:02Z",
        "channels": ["a"],
    }
    figure = figures.series_figure(
        file_meta=meta,
        mode="stacked",
        view=[
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:02Z",
        ],
    )
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert figure["layout"]["xaxis"]["range"] == ["2024-01-01T00:00:00", "2024-01-01T00:00:02"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "time (UTC)"


def test_x_title_only_where_the_axis_alone_would_not_tell():
    index_meta = {**META, "time_kind": "index", "time_start": 0, "time_end": 2}
    figure = figures.series_figure(file_meta=index_meta, mode="stacked", view=[0, 2])
    assert figure["layout"]["xaxis3"]["title"]["text"] == "row"
    figure = figures.series_figure(file_meta=META, mode="stacked", view=[0.0, 2.0])
    assert figure["layout"]["xaxis3"]["title"]["text"] == ""


def test_training_figure_curves_over_epochs():
    history = [
        {"epoch": 1, "loss": 1.2, "balanced_accuracy": 0.4, "min_class_f1": 0.1},
        {"epoch": 2, "loss": 0.8, "balanced_accuracy": 0.6, "min_class_f1": 0.3},
    ]
    figure = figures.training_figure(history, total_epochs=10)
    names = [t["name"] for t in figure["data"]]
    assert names == ["bal. acc.", "worst F1", "loss"]  # no macro F1 reported
    loss = figure["data"][-1]
    assert loss["x"] == [1, 2] and loss["yaxis"] == "y"
    assert figure["data"][0]["yaxis"] == "y2"
    assert figure["layout"]["xaxis"]["range"] == [0.5, 10.5]
    assert figure["layout"]["shapes"] == []  # no phases reported: no bands


def test_training_figure_gives_the_loss_its_own_panel_and_marks_the_phases():
    history = [
        {"epoch": e, "phase": "validating", "loss": 1.0 / e, "macro_f1": 0.5} for e in (1, 2, 3)
    ] + [{"epoch": e, "phase": "final_fit", "loss": 0.5 / e} for e in (4, 5)]
    layout = figures.training_figure(history)["layout"]
    loss_panel, score_panel = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert loss_panel[1] < score_panel[0]  # stacked, not overlaid: each has its own axis
    assert "overlaying" not in layout["yaxis2"]
    bands = [(s["x0"], s["x1"]) for s in layout["shapes"]]
    assert bands == [(0.5, 3.5), (3.5, 5.5)]
    assert [a["text"] for a in layout["annotations"]] == ["validating", "final fit"]
    assert figures.TRAINING_FIGURE_MIN_WIDTH >= 400


def test_empty_figure_with_message():
    figure = figures.empty_figure("nothing")
    assert figure["data"] == [] and figure["layout"]["annotations"][0]["text"] == "nothing"


def test_channel_names_are_not_markup():
    meta = {**META, "channels": ["<b>a</b>"]}
    figure = figures.series_figure(file_meta=meta, mode="stacked", view=[0.0, 1.0])
    assert figure["data"][0]["name"] == "&lt;b&gt;a&lt;/b&gt;"
    assert figure["data"][0]["meta"] == "<b>a</b>"  # the binary window's channel, as it is
