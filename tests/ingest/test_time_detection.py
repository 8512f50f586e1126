"""Which column is time when the project leaves it to detection, and what the plot's clock is."""

import pytest

from labeler.ingest import ingest_csv
from labeler.ingest.timeparse import offset_text, time_name_key, time_zone_get


def ingest_text(tmp_path, text, **options):
    source = tmp_path / "file.csv"
    source.write_text(text, "utf-8")
    return ingest_csv(source, tmp_path / "cache", **options)


@pytest.mark.parametrize(
    ("name", "key"),
    [("Zeit", "zeit"), ("Zeit [s]", "zeit"), ("time (s)", "time"), ("Date-Time", "date_time")],
)
def test_time_names_are_compared_without_units_and_separators(name, key):
    assert time_name_key(name) == key


@pytest.mark.parametrize("name", ["Zeit", "Zeit [s]", "Uhrzeit", "elapsed time", "Time (s)"])
def test_a_column_named_like_time_is_time_wherever_it_stands(tmp_path, name):
    rows = "".join(f"{n % 3};{n / 2};{n % 5}\n" for n in range(20))
    result = ingest_text(tmp_path, f"a;{name};b\n{rows}")
    assert result.time_column == name and result.sampling_rate == 2.0
    assert result.channels == ["a", "b"]


def test_a_first_column_that_alone_rises_steadily_is_time(tmp_path):
    rows = "".join(f"{n * 0.01:.2f},{(n * 7) % 5},{n % 2}\n" for n in range(30))
    result = ingest_text(tmp_path, "sample,x,y\n" + rows)
    assert result.time_column == "sample" and result.sampling_rate == 100.0
    assert any("rises steadily" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    "rows",
    [
        "".join(f"{n},{2 * n}\n" for n in range(10)),  # another column rises too
        "".join(f"{n * n * n},{n % 3}\n" for n in range(10)),  # grows, but not steadily
        "".join(f"{n % 4},{n % 3}\n" for n in range(10)),  # does not rise
    ],
)
def test_other_first_columns_stay_channels(tmp_path, rows):
    result = ingest_text(tmp_path, "a,b\n" + rows)
    assert result.time_kind == "index" and result.channels == ["a", "b"]


def test_a_channel_asked_for_is_never_taken_as_time(tmp_path):
    rows = "".join(f"{n * 0.5},{n % 3}\n" for n in range(10))
    result = ingest_text(tmp_path, "a,b\n" + rows, channels=["a", "b"])
    assert result.time_kind == "index"


def test_offsets_are_kept_for_the_plot(tmp_path):
    rows = "".join(f"2024-01-05T10:00:{n:02d}-05:00,{n}\n" for n in range(10))
    result = ingest_text(tmp_path, "time,v\n" + rows)
    assert result.time_start == "2024-01-05T15:00:00Z" and result.display_tz == "-05:00"


def test_a_chosen_zone_is_shown_instead_of_the_files_offset(tmp_path):
    rows = "".join(f"2024-01-05T10:00:{n:02d}Z,{n}\n" for n in range(10))
    result = ingest_text(tmp_path, "time,v\n" + rows, timezone="Asia/Tokyo")
    assert result.time_start == "2024-01-05T10:00:00Z" and result.display_tz == "Asia/Tokyo"


def test_clock_times_that_happen_twice_in_the_zone_are_refused(tmp_path):
    rows = "".join(f"2024-10-27 02:{m:02d}:00,{m}\n" for m in range(0, 50, 10))
    with pytest.raises(Exception, match="daylight-saving") as caught:
        ingest_text(tmp_path, "time,v\n" + rows, timezone="Europe/Berlin")
    assert caught.value.code == "ambiguous_local_time"
    result = ingest_text(tmp_path, "time,v\n" + rows, timezone="+01:00")
    assert result.time_start == "2024-10-27T01:00:00Z"


def test_zones_and_offsets():
    assert offset_text("2024-01-01T00:00:00+0530") == "+05:30"
    assert offset_text("2024-01-01T00:00:00Z") == "UTC"
    assert offset_text("2024-01-02") is None
    assert time_zone_get("-03:30").utcoffset(None).total_seconds() == -12600
    with pytest.raises(ValueError, match="not a time zone"):
        time_zone_get("Nowhere/Land")


@pytest.mark.parametrize("name", ["x" * 10_000, "Mars/Base", "../../etc/passwd", "+25:00"])
def test_a_time_zone_that_is_none_is_a_value_error(name):
    from labeler.ingest import time_zone_get

    with pytest.raises(ValueError, match="not a"):
        time_zone_get(name)
