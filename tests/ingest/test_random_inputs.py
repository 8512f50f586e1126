"""Whatever arrives, ingest_csv answers with a cache or an IngestError (SPEC §8: never a 5xx)."""

import random

import pytest

from labeler.ingest import IngestError, ingest_csv, open_series, series_window, write_labeled_csv

CELLS = [
    "0", "1", "2.5", "-3", "1e3", "NaN", "", "abc", "2024-01-02 03:04:05",
    "2024-01-02T03:04:05Z", "02/01/2024", "13/01/2024 03:04", '"1,234.5"', '"x\ny"', "1,5",
    "inf", "time", "t", "timestamp", "1704164645", "1704164645000", "\t", ";", ",", '"', "é",
    "=1+2", " ", "-", "NA", "1.234,5",
]  # fmt: skip


def _random_file(rng: random.Random) -> bytes:
    if rng.random() < 0.05:
        return bytes(rng.randrange(1, 256) for _ in range(rng.randint(0, 300)))
    width = rng.randint(1, 5)
    delimiter = rng.choice([",", ";", "\t", "|"])
    line_end = rng.choice(["\n", "\r\n", "\r"])
    lines = []
    for _ in range(rng.randint(1, 30)):
        cells = width if rng.random() > 0.1 else rng.randint(1, width + 2)
        lines.append(delimiter.join(rng.choice(CELLS) for _ in range(cells)))
    text = line_end.join(lines) + (line_end if rng.random() > 0.3 else "")
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])
    return text.encode(encoding, errors="replace")


def _series_file(rng: random.Random) -> bytes:
    kind = rng.choice(["numeric", "iso", "day_first", "epoch", "index"])
    count = rng.randint(1, 40)
    times = sorted(rng.sample(range(1000), count))
    if rng.random() < 0.2:
        rng.shuffle(times)
    header = {"epoch": ["timestamp"], "index": []}.get(kind, ["time"]) + ["a", "b"]
    lines = [",".join(header)]
    for value in times:
        time = {
            "numeric": f"{value / 10}",
            "iso": f"2024-01-02T03:{value // 60 % 60:02d}:{value % 60:02d}"
            + rng.choice(["", "Z", "+02:00"]),
            "day_first": f"{value % 28 + 1:02d}/{value % 12 + 1:02d}/2024 03:04",
            "epoch": f"{1704164645 + value}",
            "index": None,
        }[kind]
        cells = [rng.choice(["1", "2.5", "", "NaN", "-1e3"] * 10 + ["x"]) for _ in range(2)]
        lines.append(",".join(([time] if time is not None else []) + cells))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("seed", range(4))
def test_random_files_are_read_or_refused_cleanly(tmp_path, seed):
    rng = random.Random(seed)
    for number in range(30):
        folder = tmp_path / f"{seed}_{number}"
        folder.mkdir()
        source = folder / "upload.csv"
        source.write_bytes(_random_file(rng) if number % 2 else _series_file(rng))
        try:
            ingest_csv(source, folder / "cache")
        except IngestError as error:
            assert error.message and error.code
            assert sorted(p.name for p in folder.iterdir()) == ["upload.csv"]
            continue
        series = open_series(folder / "cache")
        window = series_window(series, max_points=5)
        assert all(len(values) <= 5 for values in window["channels"].values())
        write_labeled_csv(source, folder / "cache", folder / "out.csv", ["x"] * series.rows)
