"""Figure builders: plain functions from data to Plotly figure dicts (no Dash, no Django).

The graph's figure starts as the series figure (``series_figure``: the axes and empty traces);
the browser (plotview.js) fills in each view's binary window and draws the labels over it.
"""

from __future__ import annotations

from html import escape

from labeler import time_axis
from labeler.dash_ui import state

CHANNEL_COLORS = [
    "#1d4ed8",
    "#0f766e",
    "#7c3aed",
    "#b45309",
    "#be123c",
    "#334155",
    "#0369a1",
    "#4d7c0f",
    "#a21caf",
    "#57534e",
]
FALLBACK_LABEL_COLOR = "#64748b"
FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
STACK_GAP = 0.02


def empty_figure(message: str = "") -> dict:
    layout = {
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    if message:
        layout["annotations"] = [
            {"text": message, "showarrow": False, "font": {"size": 14, "color": "#64748b"}}
        ]
    return {"data": [], "layout": layout}


def series_figure(*, file_meta: dict, mode: str, view: list) -> dict:
    """The axes and the traces (no points yet: the browser loads the view's window, see
    plotview.js): stacked (one row per channel) or overlaid. Drag selects (a new range
    label), the wheel zooms x; y axes follow the data."""
    time_kind = file_meta["time_kind"]
    channels = list(file_meta["channels"])
    stacked = mode != "overlaid" and len(channels) > 1
    count = len(channels) if stacked else 1
    legend = not stacked and len(channels) > 1
    traces = []
    for position, name in enumerate(channels):
        row = position + 1 if stacked else 1
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": escape(name),  # Plotly reads names as (restricted) HTML
                "meta": name,  # the channel of the binary window drawn here
                "x": [],
                "y": [],
                "xaxis": _axis_ref("x", row),
                "yaxis": _axis_ref("y", row),
                "line": {"width": 1.25, "color": CHANNEL_COLORS[position % len(CHANNEL_COLORS)]},
                "hovertemplate": "%{fullData.name}: %{y:.5g}<extra></extra>",
                "connectgaps": False,
            }
        )
    view_range = [state.plot_time(v, time_kind) for v in view]
    layout = {
        "dragmode": "select",
        "selectdirection": "h",
        "hovermode": "x unified",
        "hoverlabel": {"font": {"family": FONT, "size": 11}},
        "showlegend": legend,
        # Above the label names, which sit just over the plot.
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 0.995,
            "yanchor": "top",
            "x": 1,
            "xanchor": "right",
        },
        "margin": {"l": 64, "r": 12, "t": 54 if legend else 30, "b": 30},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": FONT, "size": 11, "color": "#334155"},
        "newselection": {"line": {"color": "#4338ca", "width": 1, "dash": "dot"}},
        "activeselection": {"fillcolor": "#6366f1", "opacity": 0.15},
    }
    # One x axis per row, all matching the first (Plotly hovers and selects per x/y pair);
    # only the bottom one shows ticks and carries the range slider over the whole file.
    for position in range(count):
        row = position + 1
        bottom_row = row == count
        top = 1 - position / count
        bottom = 1 - row / count
        gap = STACK_GAP if stacked and not bottom_row else 0
        x_axis = {
            "type": "date" if time_kind == "datetime" else "linear",
            "anchor": _axis_ref("y", row),
            "range": view_range,
            "autorange": False,
            "showgrid": True,
            "gridcolor": "#eef2f7",
            "zeroline": False,
            "showticklabels": bottom_row,
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "cursor",
            "spikethickness": 1,
            "spikecolor": "#94a3b8",
            "spikedash": "solid",
        }
        if time_kind != "datetime":
            x_axis["exponentformat"] = "none"  # 50500.01, not 50.50001k
        if row > 1:
            x_axis["matches"] = "x"
        if bottom_row:
            x_axis["title"] = {"text": _x_title(file_meta), "font": {"size": 11}}
        _apply_ticks(x_axis, time_axis.axis_ticks(view, file_meta))
        layout[_layout_key("xaxis", row)] = x_axis
        layout[_layout_key("yaxis", row)] = {
            "domain": [bottom + gap, top],
            "anchor": _axis_ref("x", row),
            "fixedrange": True,
            "showgrid": True,
            "gridcolor": "#eef2f7",
            "zeroline": False,
            "nticks": 4 if stacked else 8,
            "title": {
                "text": escape(channels[position]) if stacked else "",
                "font": {"size": 11},
                "standoff": 4,
            },
            "tickfont": {"size": 10},
        }
    return {"data": traces, "layout": layout}


def _apply_ticks(x_axis: dict, ticks: dict) -> None:
    """Computed ticks on every row (the grid lines); the zone's title only where one shows."""
    title = ticks.pop("title", None)
    x_axis.update(ticks)
    if title and "title" in x_axis:
        x_axis["title"]["text"] = title["text"]


def _axis_ref(letter: str, row: int) -> str:
    return letter if row == 1 else f"{letter}{row}"


def _layout_key(name: str, row: int) -> str:
    return name if row == 1 else f"{name}{row}"


def _x_title(file_meta: dict) -> str:
    """Said only where the axis alone would not tell: row numbers, and UTC clocks."""
    if file_meta["time_kind"] == "index":
        return "row"
    if file_meta["time_kind"] == "datetime" and str(file_meta.get("time_end", "")).endswith("Z"):
        return "time (UTC)"
    return ""


TRAINING_PHASE_NAMES = {
    "validating": "validating",
    "final_fit": "final fit",
    "training": "training",
}
TRAINING_FIGURE_MIN_WIDTH = 440  # px: the curves stay readable beside the labeling screen


def training_figure(history: list[dict], *, total_epochs: int | None = None) -> dict:
    """Metric curves over epochs: the 0-1 scores in the upper panel, the training loss on its
    own axis in the lower one; each phase of the training (validation, final fit) is a band
    named at its top. `total_epochs`: where the x axis ends (the epochs planned so far)."""
    epochs = [point.get("epoch") for point in history]
    series = [
        ("balanced_accuracy", "bal. acc.", "#4338ca", "y2"),
        ("min_class_f1", "worst F1", "#0f766e", "y2"),
        ("macro_f1", "macro F1", "#b45309", "y2"),
        ("loss", "loss", "#0f172a", "y"),
    ]
    traces = []
    for key, name, color, axis in series:
        values = [point.get(key) for point in history]
        if not any(v is not None for v in values):
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if len(values) < 30 else "lines",
                "name": name,
                "x": epochs,
                "y": values,
                "yaxis": axis,
                "line": {"color": color, "width": 1.5},
                "marker": {"size": 4},
            }
        )
    shapes, annotations = _phase_bands(history)
    x_range = [0.5, max(total_epochs or 0, max(epochs or [1])) + 0.5]
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 44, "r": 10, "t": 18, "b": 44},
            "height": 280,
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "font": {"family": FONT, "size": 10, "color": "#334155"},
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.14, "yanchor": "top", "font": {"size": 9}},
            "shapes": shapes,
            "annotations": annotations,
            "xaxis": {"title": {"text": ""}, "range": x_range, "gridcolor": "#eef2f7"},
            "yaxis": {
                "domain": [0, 0.34],
                "title": {"text": "loss", "standoff": 2},
                "gridcolor": "#eef2f7",
                "rangemode": "tozero",
                "nticks": 3,
            },
            "yaxis2": {
                "domain": [0.44, 1],
                "anchor": "x",
                "title": {"text": "validation", "standoff": 2},
                "range": [0, 1.02],
                "tickvals": [0, 0.5, 1],
                "gridcolor": "#eef2f7",
            },
        },
    }


def _phase_bands(history: list[dict]) -> tuple[list[dict], list[dict]]:
    """A shaded band and a name per run of epochs of one phase (none without phases)."""
    runs = []
    for point in history:
        phase = point.get("phase")
        if phase is None:
            continue
        if runs and runs[-1][0] == phase:
            runs[-1][2] = point["epoch"]
        else:
            runs.append([phase, point["epoch"], point["epoch"]])
    shapes, annotations = [], []
    for index, (phase, first, last) in enumerate(runs):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": first - 0.5,
                "x1": last + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": "#f1f5f9" if index % 2 == 0 else "#fef3c7",
                "opacity": 0.6,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "text": TRAINING_PHASE_NAMES.get(phase, escape(str(phase))),
                "xref": "x",
                "yref": "paper",
                "x": first - 0.5,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 10, "color": "#475569"},
            }
        )
    return shapes, annotations
