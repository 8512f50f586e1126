"""``ingest_csv``: read an uploaded CSV once and write its columnar cache."""

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .cache import ORDER_FILE, TIME_FILE, IngestResult, channel_file_name, write_meta
from .dialect import Dialect, sniff
from .errors import IngestError
from .npyfile import NpyAppender, iter_npy_blocks, write_npy
from .numbers import parse_numbers
from .plan import (
    MAX_DETAIL_ROWS,
    ROWS_NOTE,
    TIME_INDEX,
    Plan,
    columns_text,
    make_plan,
    rows_text,
    unparseable_error,
    verb,
)
from .pyramid import PYRAMID_DIR, pyramid_write
from .readers import CarefulStats, FastPathUnavailable, arrow_chunks, python_chunks
from .series import open_series
from .timeparse import (
    EPOCH_RANGES,
    DateFamily,
    count_nonzero_offsets,
    epoch_to_ns,
    finer_unit,
    finest_unit,
    format_datetimes,
    localize_wall_clock,
    offset_text,
    parse_datetimes,
    reading_of,
    time_zone_get,
)

__all__ = ["TIME_INDEX", "IngestResult", "ingest_csv"]

CHECK_BLOCK_ROWS = 1 << 16  # rows of the time column checked at a time (bounds memory)

# --------------------------------------------------------------------------- reading


class _Failures:
    """Rows that failed a check: the first few with their text, and how many in all."""

    def __init__(self):
        self.count = 0
        self.examples: list[tuple[int, str]] = []

    def add(self, first_row: int, mask: np.ndarray, texts: pa.Array | None) -> None:
        hits = np.flatnonzero(mask)
        if not hits.size:
            return
        self.count += int(hits.size)
        room = max(0, MAX_DETAIL_ROWS - len(self.examples))
        if not room:
            return
        chosen = hits[:room]
        values = (
            texts.take(pa.array(chosen)).to_pylist() if texts is not None else [""] * len(chosen)
        )
        for position, value in zip(chosen, values, strict=True):
            self.examples.append(
                (first_row + int(position) + 1, "" if value is None else str(value))
            )


@dataclass
class _TimeCandidate:
    family: DateFamily | None
    appender: NpyAppender
    failures: _Failures = field(default_factory=_Failures)
    unit: str = "s"


class _Sink:
    """Receives blocks of rows and appends them to the cache files."""

    def __init__(self, folder: Path, plan: Plan, dialect: Dialect):
        self.folder, self.plan, self.dialect = folder, plan, dialect
        self.rows = 0
        self.channel_files = {
            index: NpyAppender(folder / channel_file_name(n), np.float32)
            for n, index in enumerate(plan.channel_indexes)
        }
        self.nan_counts = {index: 0 for index in plan.channel_indexes}
        self.inf_counts = {index: 0 for index in plan.channel_indexes}
        self.not_numeric = {index: _Failures() for index in plan.channel_indexes}
        self.nonzero_offsets = 0
        self.first_time_text: str | None = None  # for messages: a value as the file writes it
        self.candidates: list[_TimeCandidate] = []
        self.index_time = None
        if plan.time_kind == "index":
            self.index_time = NpyAppender(folder / TIME_FILE, np.float64)
        elif plan.time_kind == "numeric":
            self.candidates = [_TimeCandidate(None, NpyAppender(folder / TIME_FILE, np.float64))]
        elif plan.time_kind == "datetime" and plan.epoch_unit:
            self.candidates = [_TimeCandidate(None, NpyAppender(folder / TIME_FILE, np.int64))]
        elif plan.time_kind == "datetime":
            self.candidates = [
                _TimeCandidate(family, NpyAppender(folder / f"time_{family.key}.npy", np.int64))
                for family in plan.families
            ]

    def add_block(self, first_row: int, columns: dict[int, pa.Array], *, typed: bool) -> None:
        """One block of rows. ``typed``: Arrow already read the channels as float32 and a
        numeric time as float64 (missing cells as nulls); else every column is text."""
        decimal, thousands = self.dialect.decimal, self.dialect.thousands
        count = len(next(iter(columns.values())))
        for index in self.plan.channel_indexes:
            if typed:
                values = columns[index].to_numpy(zero_copy_only=False)
            else:
                values, bad = parse_numbers(
                    columns[index], decimal=decimal, thousands=thousands, dtype=np.float32
                )
                self.not_numeric[index].add(first_row, bad, columns[index])
            self._add_channel(index, values)
        if self.plan.time_index is not None:
            column = columns[self.plan.time_index]
            if self.plan.time_kind == "datetime" and not self.plan.epoch_unit:
                self._add_datetime(first_row, column)
            elif typed:
                values = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
                self._add_numeric_time(first_row, values, None)
            else:
                values, _ = parse_numbers(column, decimal=decimal, thousands=thousands)
                self._add_numeric_time(first_row, values, column)
        self._add_index_time(first_row, count)
        self.rows += count

    def _add_index_time(self, first_row: int, count: int) -> None:
        if self.index_time is not None:
            self.index_time.append(np.arange(first_row, first_row + count, dtype=np.float64))

    def _add_channel(self, index: int, values: np.ndarray) -> None:
        block = values.astype(np.float32, copy=False)
        infinite = np.isinf(block)
        if infinite.any():
            block = block.copy()
            block[infinite] = np.nan
            self.inf_counts[index] += int(infinite.sum())
        self.nan_counts[index] += int(np.count_nonzero(np.isnan(block)))
        self.channel_files[index].append(block)

    def _add_numeric_time(self, first_row: int, values: np.ndarray, cells) -> None:
        candidate = self.candidates[0]
        missing = ~np.isfinite(values)
        candidate.failures.add(first_row, missing, cells)
        if self.plan.epoch_unit:
            low, high = EPOCH_RANGES[self.plan.epoch_unit]
            values = np.where(missing, low, values)
            out_of_range = (values < low) | (values >= high)
            candidate.failures.add(first_row, out_of_range & ~missing, cells)
            ns = epoch_to_ns(np.clip(values, low, high), self.plan.epoch_unit)
            candidate.unit = finer_unit(candidate.unit, finest_unit(ns))
            candidate.appender.append(ns)
        else:
            candidate.appender.append(values)

    def _add_datetime(self, first_row: int, values) -> None:
        if self.first_time_text is None and len(values):
            self.first_time_text = str(values[0].as_py())
        for candidate in self.candidates:
            ns, ok = parse_datetimes(values, candidate.family, aware=self.plan.aware)
            if not ok.all():
                candidate.failures.add(first_row, ~ok, values)
            candidate.unit = finer_unit(candidate.unit, finest_unit(ns[ok]))
            candidate.appender.append(ns)
        if self.plan.aware:
            self.nonzero_offsets += count_nonzero_offsets(values)

    def close(self) -> None:
        for appender in self.channel_files.values():
            appender.close()
        for candidate in self.candidates:
            candidate.appender.close()
        if self.index_time is not None:
            self.index_time.close()

    def discard(self) -> None:
        for appender in self.channel_files.values():
            appender.discard()
        for candidate in self.candidates:
            candidate.appender.discard()
        if self.index_time is not None:
            self.index_time.discard()


def _encodings(dialect: Dialect) -> list[str]:
    """The detected encoding, then the ones to fall back to when bytes later do not fit."""
    if dialect.encoding in ("utf-8", "utf-8-sig"):
        return [dialect.encoding, "cp1252", "latin-1"]
    if dialect.encoding == "cp1252":
        return ["cp1252", "latin-1"]
    return [dialect.encoding]


def _read(
    path: Path, folder: Path, plan: Plan, dialect: Dialect
) -> tuple[_Sink, str, str, Dialect, CarefulStats]:
    """Read the whole file into ``folder``; see ``readers`` for the three paths.

    Returns the sink, the path that read the file ("arrow" or "python"), the sha256 of the
    file's bytes (computed on the way), the dialect finally used and what the careful path
    fixed.
    """
    numeric_time = plan.time_kind == "numeric" or bool(plan.epoch_unit)
    typed_types: dict[int, pa.DataType] = {index: pa.float32() for index in plan.channel_indexes}
    text_types: dict[int, pa.DataType] = {index: pa.string() for index in plan.channel_indexes}
    if plan.time_index is not None:
        typed_types[plan.time_index] = pa.float64() if numeric_time else pa.string()
        text_types[plan.time_index] = pa.string()
    for encoding in _encodings(dialect):
        used = Dialect.from_dict({**dialect.as_dict(), "encoding": encoding})
        attempts = [("typed", typed_types), ("text", text_types), ("careful", None)]
        if used.thousands:  # Arrow's number parser does not read thousands separators
            attempts.pop(0)
        while attempts:
            attempt, types = attempts.pop(0)
            hasher = hashlib.sha256()
            sink = _Sink(folder, plan, used)
            stats = CarefulStats()
            try:
                if types is not None:
                    chunks = arrow_chunks(
                        path,
                        used,
                        column_count=len(plan.names),
                        column_types=types,
                        null_values=attempt == "typed",
                        hasher=hasher,
                    )
                else:
                    chunks = python_chunks(
                        path, used, column_count=len(plan.names), stats=stats, hasher=hasher
                    )
                for first_row, columns in chunks:
                    sink.add_block(first_row, columns, typed=attempt == "typed")
            except FastPathUnavailable as unavailable:
                sink.discard()
                if unavailable.kind == "encoding":
                    break  # try the next encoding
                if unavailable.kind == "structure":
                    attempts = [a for a in attempts if a[0] == "careful"]
                continue
            except UnicodeDecodeError:
                sink.discard()
                break
            except BaseException:
                sink.discard()
                raise
            sink.close()
            reader = "python" if attempt == "careful" else "arrow"
            return sink, reader, hasher.hexdigest(), used, stats
    raise IngestError(  # pragma: no cover - Latin-1 decodes any bytes
        "The file's text encoding could not be recognised.", code="unreadable_csv"
    )


# --------------------------------------------------------------------------- time checks


def _choose_time(sink: _Sink, plan: Plan) -> _TimeCandidate | None:
    """The time candidate that read every row, or the IngestError that explains why none did."""
    if plan.time_index is None:
        return None
    name = plan.time_name
    good = [c for c in sink.candidates if c.failures.count == 0]
    if not good:
        best = min(sink.candidates, key=lambda c: c.failures.count)
        failures = best.failures
        if plan.time_kind == "numeric" or plan.epoch_unit:
            what = "a number" if not plan.epoch_unit else "an epoch time"
            raise unparseable_error(name, failures.examples, failures.count, what=what)
        raise _datetime_error(name, best, plan)
    if len(good) > 1:
        first, second = good[0], good[1]
        differs = any(
            not np.array_equal(a, b)
            for (_, a), (_, b) in zip(
                iter_npy_blocks(first.appender.path, np.int64, sink.rows),
                iter_npy_blocks(second.appender.path, np.int64, sink.rows),
                strict=True,
            )
        )
        if differs:
            raise IngestError(
                f"The dates in the time column '{name}' can be read as {first.family.label} or "
                f"as {second.family.label} (e.g. '{sink.first_time_text}'), and nothing in the "
                "file says which. Write them as ISO 8601 (2024-01-02 03:04:05), or as "
                "day/month with at least one day above 12.",
                code="ambiguous_dates",
                detail={"column": name, "formats": [first.family.label, second.family.label]},
            )
    chosen = good[0]
    for other in sink.candidates:
        if other is not chosen:
            other.appender.path.unlink(missing_ok=True)
    if chosen.appender.path.name != TIME_FILE:
        chosen.appender.path.rename(chosen.appender.path.with_name(TIME_FILE))
    if chosen.family is not None and chosen.family.key not in ("iso", "ymd_slash", "ymd_dot"):
        plan.warnings.append(
            f"Dates were read as {chosen.family.label} (e.g. '{sink.first_time_text}')."
        )
    return chosen


def _datetime_error(name: str, best: _TimeCandidate, plan: Plan) -> IngestError:
    failures = best.failures
    mixed = []
    for row, value in failures.examples:
        if not value.strip():
            continue
        reading = reading_of(value)
        if reading is not None:
            mixed.append((row, value, reading))
    if mixed:
        rows = [row for row, _, _ in mixed]
        _, example, (family, aware) = mixed[0]
        if family.key == best.family.key and aware != plan.aware:
            has, lacks = ("have", "lack") if plan.aware else ("lack", "have")
            return IngestError(
                f"The time column '{name}' mixes times with and without a UTC offset: most "
                f"values {has} one, but {rows_text(rows, failures.count)} "
                f"{verb(rows, failures.count, lacks + 's', lacks)} one "
                f"(e.g. '{example}'). Write every time the same way. {ROWS_NOTE}",
                code="mixed_date_formats",
                detail={"column": name, "rows": rows[:MAX_DETAIL_ROWS], "count": failures.count},
            )
        return IngestError(
            f"The time column '{name}' mixes date formats: most values are written as "
            f"{best.family.label} (e.g. '{best.family.example}') but "
            f"{rows_text(rows, failures.count)} {verb(rows, failures.count, 'is', 'are')} "
            f"written as {family.label} "
            f"(e.g. '{example}'). Write every time the same way. {ROWS_NOTE}",
            code="mixed_date_formats",
            detail={"column": name, "rows": rows[:MAX_DETAIL_ROWS], "count": failures.count},
        )
    return unparseable_error(name, failures.examples, failures.count, what="a date-time")


@dataclass
class _TimeFacts:
    start: float
    end: float
    sampling_rate: float | None
    resorted: bool
    out_of_order: int


def _check_time(folder: Path, sink: _Sink, plan: Plan, chosen: _TimeCandidate) -> _TimeFacts:
    """Order, duplicates, range and sampling rate of the time column; sorts when needed."""
    dtype = np.int64 if plan.time_kind == "datetime" else np.float64
    path = folder / TIME_FILE
    rows = sink.rows
    out_of_order = 0
    running_max = None
    duplicates: list[tuple[int, int, float]] = []
    duplicate_count = 0
    medians = []
    previous = None
    start = end = None
    for first, block in iter_npy_blocks(path, dtype, rows, block_rows=CHECK_BLOCK_ROWS):
        if start is None:
            start = block[0]
        end = block[-1]
        maxima = np.maximum.accumulate(block)
        if running_max is not None:
            maxima = np.maximum(maxima, running_max)
            out_of_order += int(block[0] < running_max)
        out_of_order += int(np.count_nonzero(block[1:] < maxima[:-1]))
        running_max = maxima[-1]
        joined = block if previous is None else np.concatenate(([previous], block))
        offset = first if previous is None else first - 1
        steps = np.diff(joined)
        if not out_of_order:
            equal = np.flatnonzero(steps == 0)
            duplicate_count += int(equal.size)
            for position in equal[: max(0, MAX_DETAIL_ROWS - len(duplicates))]:
                row = offset + int(position)
                duplicates.append((row + 1, row + 2, joined[position]))
            positive = steps[steps > 0]
            if positive.size:
                medians.append(float(np.median(positive)))
        previous = block[-1]
    resorted = out_of_order > 0
    if resorted:
        values = np.load(path)
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        steps = np.diff(ordered)
        equal = np.flatnonzero(steps == 0)
        duplicate_count = int(equal.size)
        duplicates = [
            (*sorted((int(order[p]) + 1, int(order[p + 1]) + 1)), ordered[p])
            for p in equal[:MAX_DETAIL_ROWS]
        ]
        duplicates.sort()
        if not duplicate_count:
            write_npy(path, ordered)
            write_npy(folder / ORDER_FILE, order.astype(np.int64))
            for appender in sink.channel_files.values():
                write_npy(appender.path, np.load(appender.path)[order])
            positive = steps[steps > 0]
            medians = [float(np.median(positive))] if positive.size else []
            start, end = ordered[0], ordered[-1]
        del values, ordered, steps
    if duplicate_count:
        raise _duplicates_error(plan, duplicates, duplicate_count, chosen)
    step = float(np.median(medians)) if medians else None
    per_unit = 1e9 if plan.time_kind == "datetime" else 1.0  # ns per second for date-times
    rate = float(f"{per_unit / step:.9g}") if step else None  # drop float noise of the diffs
    return _TimeFacts(
        start=start, end=end, sampling_rate=rate, resorted=resorted, out_of_order=out_of_order
    )


def _duplicates_error(plan: Plan, duplicates, count: int, chosen: _TimeCandidate) -> IngestError:
    name = plan.time_name
    shown = []
    for first, second, value in duplicates[:3]:
        shown.append(f"data rows {first} and {second} both have {_time_text(plan, chosen, value)}")
    rows = sorted({row for first, second, _ in duplicates for row in (first, second)})
    more = f" ({count} repeated values in all)" if count > len(shown) else ""
    return IngestError(
        f"The time column '{name}' has duplicate values, so the rows cannot be put in time "
        f"order: {'; '.join(shown)}{more}. {ROWS_NOTE}",
        code="duplicate_times",
        detail={
            "column": name,
            "rows": rows[:MAX_DETAIL_ROWS],
            "pairs": [[first, second] for first, second, _ in duplicates[:MAX_DETAIL_ROWS]],
            "count": count,
        },
    )


def _time_text(plan: Plan, chosen: _TimeCandidate | None, value) -> str:
    if plan.time_kind == "datetime":
        unit = chosen.unit if chosen else "ns"
        return format_datetimes(np.array([value], dtype=np.int64), unit=unit, utc=plan.aware)[0]
    return np.format_float_positional(float(value), trim="-")


# --------------------------------------------------------------------------- the entry point


def ingest_csv(
    source_path,
    cache_dir,
    *,
    time_column: str | None = None,
    channels: list[str] | None = None,
    time_format: str | None = None,
    timezone: str | None = None,
    pyramid: bool = True,
) -> IngestResult:
    """Read the CSV at ``source_path`` and write its columnar cache to ``cache_dir``.

    ``time_column``: None detects it, ``TIME_INDEX`` ("") uses the row index, a name picks that
    column. ``channels``: None takes every numeric column but the time column, a list picks
    those. ``time_format`` (one of ``TIME_FORMATS``) reads the time column that way instead of
    guessing. ``timezone`` (UTC, +02:00, Europe/Berlin): date-times without offsets are clock
    times there (stored in UTC); the plot shows clock times in it (else in the file's own
    offset). Raises ``IngestError`` for a file it refuses; then nothing is left at ``cache_dir``.
    The cache is written to a temporary folder beside ``cache_dir`` and renamed into place
    (replacing an older cache there). ``pyramid``: also write the min/max pyramid that plot
    windows of long files are read from (else it is built on first use).
    """
    source = Path(source_path)
    target = Path(cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex}"
    work.mkdir()
    try:
        result = _ingest_into(
            source,
            work,
            time_column=time_column,
            channels=channels,
            time_format=time_format,
            timezone=timezone,
        )
        if pyramid:
            pyramid_write(open_series(work), work / PYRAMID_DIR)
        _install(work, target)
        return result
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _install(work: Path, target: Path) -> None:
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
        os.rename(target, old)
        os.rename(work, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(work, target)


def _ingest_into(
    source: Path, folder: Path, *, time_column, channels, time_format=None, timezone=None
) -> IngestResult:
    sample = sniff(source)
    plan = make_plan(sample, time_column=time_column, channels=channels, time_format=time_format)
    sink, reader, checksum, dialect, stats = _read(source, folder, plan, sample.dialect)
    if sink.rows == 0:
        raise IngestError(
            "The file has a header row but no data rows.",
            code="header_only",
            detail={"columns": plan.names},
        )
    warnings = list(sample.warnings)
    if dialect.encoding != sample.dialect.encoding:
        warnings = [w for w in warnings if "not UTF-8" not in w]
        warnings.insert(0, f"The file is not UTF-8; it was read as {dialect.encoding_name}.")
    chosen = _choose_time(sink, plan)
    warnings += plan.warnings
    channel_names = _final_channels(sink, plan, warnings)
    if stats.short_rows:
        warnings.append(
            f"{stats.short_rows} {verb([], stats.short_rows, 'row', 'rows')} had fewer cells "
            f"than the header ({rows_text(stats.short_row_examples, stats.short_rows)}); the "
            "missing cells were left empty."
        )
    facts = None
    display_tz = _display_time_zone(folder, sink, plan, chosen, timezone, warnings)
    tz = "UTC" if plan.time_kind == "datetime" and plan.aware else None
    time_unit = chosen.unit if plan.time_kind == "datetime" else None
    if chosen is not None:
        facts = _check_time(folder, sink, plan, chosen)
        if facts.resorted:
            rows_word = "row was" if facts.out_of_order == 1 else "rows were"
            warnings.append(
                f"{facts.out_of_order} {rows_word} out of time order; the series was sorted by "
                f"'{plan.time_name}'. Downloads keep the original row order."
            )
        if sink.nonzero_offsets:
            warnings.append("Times with UTC offsets (e.g. +02:00) were converted to UTC.")
    nan_counts = {
        plan.names[index]: sink.nan_counts[index]
        for index in plan.channel_indexes
        if plan.names[index] in channel_names
    }
    _nan_warnings(sink, plan, channel_names, warnings)
    if facts is None:
        start, end, rate = 0.0, float(sink.rows - 1), 1.0
    elif plan.time_kind == "datetime":
        start = _time_text(plan, chosen, facts.start)
        end = _time_text(plan, chosen, facts.end)
        rate = facts.sampling_rate
    else:
        start, end, rate = float(facts.start), float(facts.end), facts.sampling_rate
    result = IngestResult(
        rows=sink.rows,
        channels=channel_names,
        time_column=plan.time_name,
        time_kind=plan.time_kind,
        time_start=start,
        time_end=end,
        sampling_rate=rate,
        nan_counts=nan_counts,
        warnings=warnings,
        dialect=dialect.as_dict(),
        resorted=bool(facts and facts.resorted),
        checksum=checksum,
        tz=tz,
        time_unit=time_unit,
        epoch_unit=plan.epoch_unit,
        ignored_columns=plan.ignored,
        display_tz=display_tz,
        time_guessed=plan.time_guessed,
    )
    kept = [index for index in plan.channel_indexes if plan.names[index] in channel_names]
    write_meta(
        folder,
        result,
        reader=reader,
        columns=plan.source_names,
        column_names=plan.names,
        time_index=plan.time_index,
        time_file=TIME_FILE,
        order_file=ORDER_FILE if result.resorted else None,
        channel_files={plan.names[i]: sink.channel_files[i].path.name for i in kept},
        channel_indexes={plan.names[i]: i for i in kept},
    )
    return result


def _display_time_zone(folder, sink, plan, chosen, timezone, warnings) -> str | None:
    """The zone whose clock the plot shows; clock times without offsets are first moved from
    ``timezone`` to UTC."""
    if plan.time_kind != "datetime":
        if timezone:
            warnings.append("The time zone was not used: the time column holds no date-times.")
        return None
    if plan.aware:
        return timezone or offset_text(sink.first_time_text or "") or "UTC"
    if not timezone:
        return None
    path = folder / TIME_FILE
    utc_ns = localize_wall_clock(np.load(path), time_zone_get(timezone))
    gaps = np.flatnonzero(utc_ns == np.iinfo(np.int64).min)
    if gaps.size:
        rows = [int(row) + 1 for row in gaps[:MAX_DETAIL_ROWS]]
        raise IngestError(
            f"Some clock times of '{plan.time_name}' do not exist or happen twice in {timezone} "
            f"(a daylight-saving change), at {rows_text(rows, int(gaps.size))}. Choose a fixed "
            "offset such as +01:00 instead.",
            code="ambiguous_local_time",
            detail={"column": plan.time_name, "rows": rows, "count": int(gaps.size)},
        )
    write_npy(path, utc_ns)
    plan.aware = True
    warnings.append(f"The times were read as clock times in {timezone} and stored in UTC.")
    return timezone


def _final_channels(sink: _Sink, plan: Plan, warnings: list[str]) -> list[str]:
    """The channels that stay: auto-chosen columns with text or without values are dropped."""
    kept = []
    for index in plan.channel_indexes:
        name = plan.names[index]
        failures = sink.not_numeric[index]
        if failures.count:
            rows = [row for row, _ in failures.examples]
            example = failures.examples[0][1]
            if plan.channels_requested:
                raise IngestError(
                    f"The channel '{name}' is not numeric: {rows_text(rows, failures.count)} "
                    f"{verb(rows, failures.count, 'holds', 'hold')} text (e.g. '{example}'). "
                    f"{ROWS_NOTE}",
                    code="channel_not_numeric",
                    detail={
                        "channel": name,
                        "rows": rows[:MAX_DETAIL_ROWS],
                        "count": failures.count,
                    },
                )
            warnings.append(
                f"The column '{name}' was not used as a channel: "
                f"{rows_text(rows, failures.count)} "
                f"{verb(rows, failures.count, 'holds', 'hold')} text (e.g. '{example}')."
            )
            plan.ignored.append(name)
        elif sink.nan_counts[index] == sink.rows and not plan.channels_requested:
            if name not in plan.blank_named:  # e.g. the empty column after a trailing delimiter
                warnings.append(f"The column '{name}' has no values and was not used as a channel.")
                plan.ignored.append(name)
        else:
            kept.append(name)
            continue
        sink.channel_files[index].path.unlink(missing_ok=True)
    unnamed = [name for name in kept + [plan.time_name] if name in plan.blank_named]
    if unnamed:
        warnings.append("Columns without a name were called " + columns_text(unnamed) + ".")
    if not kept:
        raise IngestError(
            "The file has no numeric column to use as a channel: "
            + (
                "its columns hold text or nothing."
                if plan.ignored
                else "it has only the time column."
            ),
            code="no_numeric_channel",
            detail={"columns": plan.names, "time_column": plan.time_name},
        )
    return kept


def _nan_warnings(sink: _Sink, plan: Plan, kept: list[str], warnings: list[str]) -> None:
    parts, infinite = [], []
    for index in plan.channel_indexes:
        name = plan.names[index]
        if name not in kept:
            continue
        gaps = sink.nan_counts[index] - sink.inf_counts[index]
        if gaps:
            parts.append(f"'{name}' {gaps}")
        if sink.inf_counts[index]:
            infinite.append(f"'{name}' {sink.inf_counts[index]}")
    if parts:
        warnings.append(
            "Empty or NaN cells were kept as gaps (rows kept): " + ", ".join(parts) + "."
        )
    if infinite:
        warnings.append("Infinite values were treated as missing: " + ", ".join(infinite) + ".")
    text_columns = [name for name in plan.ignored if name not in kept]
    listed = [
        name
        for name in text_columns
        if not any(
            f"'{name}' was not used" in w or f"'{name}' has no values" in w for w in warnings
        )
    ]
    if listed:
        warnings.append(
            "Columns without numbers were not used as channels: " + columns_text(listed) + "."
        )
