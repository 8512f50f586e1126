"""x axis ticks: durations for numeric time, clock times of the file's zone for date-times."""

import pytest

from labeler import time_axis
from labeler.dash_ui import figures

ZONED = {
    "id": 3,
    "time_kind": "datetime",
    "time_column": "time",
    "time_start": "2024-03-01T08:00:00Z",
    "time_end": "2024-03-01T09:00:00Z",
    "channels": ["a"],
    "display_timezone": "+02:00",
}


@pytest.mark.parametrize(
    ("seconds", "step", "longest", "text"),
    [
        (12.5, 0.5, 30, "12.5 s"),
        (0, 5, 30, "0 s"),
        (90, 30, 600, "1:30"),
        (3725, 300, 7200, "1:02:05"),
        (60.25, 0.05, 120, "1:00.25"),
        (2 * 86400 + 3600, 3600, 3 * 86400, "2 d 01:00"),
        (-30, 15, 120, "-0:30"),
    ],
)
def test_durations(seconds, step, longest, text):
    assert time_axis.duration_text(seconds, step_s=step, longest_s=longest) == text


def test_numeric_ticks_cover_the_view_at_a_round_step():
    ticks = time_axis.duration_ticks([0.0, 600.0])
    assert ticks["tickmode"] == "array"
    inside = [v for v in ticks["tickvals"] if 0 <= v <= 600]
    assert inside == [0, 120, 240, 360, 480, 600]
    shown = dict(zip(ticks["tickvals"], ticks["ticktext"], strict=True))
    assert shown[120] == "2:00" and shown[600] == "10:00"


def test_clock_ticks_show_the_files_offset_at_round_local_times():
    ticks = time_axis.clock_ticks(["2024-03-01T08:00:00Z", "2024-03-01T09:00:00Z"], "+02:00")
    shown = dict(zip(ticks["tickvals"], ticks["ticktext"], strict=True))
    assert shown["2024-03-01T08:00:00"].startswith("10:00")
    assert shown["2024-03-01T08:10:00"] == "10:10"
    assert shown["2024-03-01T08:00:00"] == "10:00<br>2024-03-01"  # the date on the first in view
    assert shown["2024-03-01T08:20:00"] == "10:20"


def test_clock_ticks_cross_a_daylight_saving_change_in_a_named_zone():
    ticks = time_axis.clock_ticks(["2024-03-31T00:00:00Z", "2024-03-31T03:00:00Z"], "Europe/Berlin")
    shown = dict(zip(ticks["tickvals"], ticks["ticktext"], strict=True))
    assert shown["2024-03-31T00:30:00"].startswith("01:30")  # CET, +01:00
    assert shown["2024-03-31T01:00:00"].startswith("03:00")  # CEST, +02:00; 02:xx never was


def test_series_figure_of_a_zoned_file_shows_its_clock():
    view = ["2024-03-01T08:00:00Z", "2024-03-01T09:00:00Z"]
    figure = figures.series_figure(file_meta=ZONED, mode="stacked", view=view)
    axis = figure["layout"]["xaxis"]
    assert axis["title"]["text"] == "time (UTC+02:00)"
    assert axis["hoverformat"].endswith(" UTC")  # the hover's clock is not the axis' clock
    assert "10:30" in axis["ticktext"][axis["tickvals"].index("2024-03-01T08:30:00")]


def test_series_figure_without_a_zone_keeps_plotlys_own_date_ticks():
    meta = {**ZONED, "display_timezone": None}
    figure = figures.series_figure(
        file_meta=meta,
        mode="stacked",
        view=[ZONED["time_start"], ZONED["time_end"]],
    )
    assert "tickvals" not in figure["layout"]["xaxis"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "time (UTC)"


def test_series_figure_of_a_numeric_file_shows_durations_on_every_row():
    meta = {"id": 1, "time_kind": "numeric", "time_start": 0.0, "time_end": 7200.0}
    meta["channels"] = ["a", "b"]
    figure = figures.series_figure(file_meta=meta, mode="stacked", view=[0.0, 7200.0])
    for key in ("xaxis", "xaxis2"):
        shown = dict(
            zip(figure["layout"][key]["tickvals"], figure["layout"][key]["ticktext"], strict=True)
        )
        assert shown[3600] == "1:00:00"
