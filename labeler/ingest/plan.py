"""Deciding, from a sample of a file, which column is time and which are channels."""

from dataclasses import dataclass, field

import numpy as np

from .dialect import Dialect, Sample
from .errors import IngestError
from .numbers import parse_numbers
from .timeparse import (
    AUTO_TIME_NAMES,
    DATE_FAMILIES,
    DateFamily,
    epoch_unit,
    epoch_unit_of_values,
    normalize_name,
    offsets_mask,
    parse_datetimes,
    time_name_key,
)

TIME_INDEX = ""  # pass as time_column to use the row index even if a time column exists
MAX_LISTED_ROWS = 10  # row numbers named in a message
MAX_DETAIL_ROWS = 100  # row numbers given in IngestError.detail


@dataclass
class Plan:
    names: list[str]  # unique column names, in file order
    source_names: list[str]  # as written in the header (generated when there is none)
    time_index: int | None
    time_kind: str  # numeric | datetime | index
    epoch_unit: str | None = None
    families: list[DateFamily] = field(default_factory=list)
    aware: bool = False
    channel_indexes: list[int] = field(default_factory=list)
    channels_requested: bool = False
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blank_named: set[str] = field(default_factory=set)
    # detection found no sure sign: the row number for lack of a time column, or a rising
    # first column taken as time
    time_guessed: bool = False

    @property
    def time_name(self) -> str | None:
        return None if self.time_index is None else self.names[self.time_index]


def rows_text(rows: list[int], total: int | None = None) -> str:
    """``data row 3`` / ``data rows 3, 5 and 12 more``."""
    shown = ", ".join(str(row) for row in rows[:MAX_LISTED_ROWS])
    more = (total or len(rows)) - min(len(rows), MAX_LISTED_ROWS)
    noun = "data row" if (total or len(rows)) == 1 else "data rows"
    return f"{noun} {shown}" + (f" and {more} more" if more > 0 else "")


def verb(rows: list[int], total: int | None, singular: str, plural: str) -> str:
    return singular if (total or len(rows)) == 1 else plural


ROWS_NOTE = "Row numbers count data rows: row 1 is the first row below the header."


def _unique_names(
    header: list[str], width: int
) -> tuple[list[str], list[str], list[str], set[str]]:
    """``(unique names, names as written, warnings, names given to blank headers)``.

    Blank header cells get ``column_<position>``; whether that is worth a warning depends on
    whether the column is used (a trailing delimiter makes an empty, unnamed column).
    """
    written = [cell for cell in header] + [""] * (width - len(header))
    names, seen, renamed, blank = [], set(), [], set()
    for position, cell in enumerate(written):
        name = cell.strip().lstrip("\ufeff") or f"column_{position + 1}"
        base, copy = name, 2
        while name in seen:
            name = f"{base}_{copy}"
            copy += 1
        if header and not cell.strip():
            blank.add(name)
        elif name != cell.strip() and header:
            renamed.append(f"'{cell}' -> '{name}'")
        seen.add(name)
        names.append(name)
    warnings = []
    if not header:
        warnings.append(
            f"The file has no header row; columns were named {names[0]} to {names[-1]}."
            if len(names) > 1
            else f"The file has no header row; the column was named {names[0]}."
        )
        written = names
    elif renamed:
        warnings.append("Columns with a repeated name were renamed: " + ", ".join(renamed) + ".")
    return names, written, warnings, blank


def _find_column(wanted: str, names: list[str], written: list[str]) -> int | None:
    for candidates in (names, [w.strip() for w in written]):
        if wanted in candidates:
            return candidates.index(wanted)
    folded = [normalize_name(name) for name in names]
    if folded.count(normalize_name(wanted)) == 1:
        return folded.index(normalize_name(wanted))
    return None


def columns_text(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _classify(cells: list[str], dialect: Dialect) -> tuple[str, np.ndarray, np.ndarray]:
    values, bad = parse_numbers(cells, decimal=dialect.decimal, thousands=dialect.thousands)
    present = ~np.isnan(values) | bad
    if not present.any():
        return "empty", values, bad
    return ("text" if bad.any() else "numeric"), values, bad


def _datetime_cells_ok(cells: list[str]) -> bool:
    present = [c for c in cells if c.strip()]
    if not present:
        return False
    aware = bool(offsets_mask(present).all())
    return any(parse_datetimes(present, family, aware=aware)[1].all() for family in DATE_FAMILIES)


def _steady_rise(values: np.ndarray) -> bool:
    """Numbers that grow on every row at a roughly steady step (a time axis, not a signal)."""
    if values.size < 3 or np.isnan(values).any():
        return False
    steps = np.diff(values)
    median = np.median(steps)
    return bool((steps > 0).all() and median / 3 <= steps.min() and steps.max() <= 3 * median)


def make_plan(
    sample: Sample,
    *,
    time_column: str | None,
    channels: list[str] | None,
    time_format: str | None = None,
) -> Plan:
    header, rows, dialect = sample.header, sample.rows, sample.dialect
    width = len(header) if header else max(len(row) for row in rows)
    if header and not rows and sample.complete:
        raise IngestError(
            "The file has a header row but no data rows.",
            code="header_only",
            detail={"columns": [cell.strip() for cell in header]},
        )
    names, written, warnings, blank = _unique_names(header, width)
    columns = [[(row[i] if i < len(row) else "") for row in rows] for i in range(width)]
    kinds = [_classify(cells, dialect) for cells in columns]

    # the time column
    guessed = False
    if time_column == TIME_INDEX:
        time_index = None
    elif time_column is not None:
        time_index = _find_column(time_column, names, written)
        if time_index is None:
            raise IngestError(
                f"The time column '{time_column}' is not in the file. "
                f"Its columns are: {columns_text(names)}.",
                code="missing_time_column",
                detail={"missing": [time_column], "columns": names},
            )
    else:
        # a column asked for as a channel is never taken as time ("t" may be a temperature)
        wanted = {_find_column(name, names, written) for name in channels or []}
        time_index = next(
            (
                i
                for i, name in enumerate(names)
                if time_name_key(name) in AUTO_TIME_NAMES and i not in wanted
            ),
            None,
        )
        # the first column is time when it alone rises steadily (counters elsewhere: no clue)
        first_rises = (
            time_index is None
            and kinds[0][0] == "numeric"
            and _steady_rise(kinds[0][1])
            and not any(kind == "numeric" and _steady_rise(v) for kind, v, _ in kinds[1:])
        )
        if (
            time_index is None
            and 0 not in wanted
            and width > 1
            and kinds[0][0] == "text"
            and any(kind == "numeric" for kind, _, _ in kinds[1:])
            and _datetime_cells_ok(columns[0])
        ):
            time_index = 0
        elif first_rises and 0 not in wanted and any(kind == "numeric" for kind, _, _ in kinds[1:]):
            time_index, guessed = 0, True
            warnings.append(
                f"The first column '{names[0]}' rises steadily on every row, so it was taken as "
                "the time column; choose another time column (or the row number) if it is a "
                "channel."
            )
    plan = Plan(names=names, source_names=written, time_index=time_index, time_kind="index")
    plan.time_guessed = time_column is None and (time_index is None or guessed)
    plan.warnings = warnings
    plan.blank_named = blank
    if time_index is not None:
        _plan_time(plan, columns[time_index], kinds[time_index], time_format)

    # the channels
    if channels is None:
        for i, (kind, _, _) in enumerate(kinds):
            if i == time_index:
                continue
            if kind in ("numeric", "empty"):
                plan.channel_indexes.append(i)
                continue
            plan.ignored.append(names[i])
            _, values, bad = kinds[i]
            if np.count_nonzero(~bad & ~np.isnan(values)) > np.count_nonzero(bad):
                rows = [int(row) + 1 for row in np.flatnonzero(bad)]  # mostly numbers: say where
                plan.warnings.append(
                    f"The column '{names[i]}' was not used as a channel: {rows_text(rows)} "
                    f"{verb(rows, None, 'holds', 'hold')} text "
                    f"(e.g. '{columns[i][rows[0] - 1]}')."
                )
        if not plan.channel_indexes:
            raise _no_channel_error(names, time_index, kinds, columns)
    else:
        plan.channels_requested = True
        if not channels:
            raise IngestError("No channels were chosen.", code="missing_channels", detail={})
        found = [_find_column(name, names, written) for name in channels]
        missing = [name for name, index in zip(channels, found, strict=True) if index is None]
        if missing:
            noun = "channel is" if len(missing) == 1 else "channels are"
            raise IngestError(
                f"The {noun} not in the file: {columns_text(missing)}. "
                f"Its columns are: {columns_text(names)}.",
                code="missing_channels",
                detail={"missing": missing, "columns": names},
            )
        for name, index in zip(channels, found, strict=True):
            if index == time_index:
                raise IngestError(
                    f"'{name}' is the time column, so it cannot also be a channel.",
                    code="channel_is_time",
                    detail={"channel": name},
                )
            kind, _, bad = kinds[index]
            if kind == "text":
                row = int(np.flatnonzero(bad)[0]) + 1
                raise IngestError(
                    f"The channel '{name}' is not numeric: data row {row} has "
                    f"'{columns[index][row - 1]}'. {ROWS_NOTE}",
                    code="channel_not_numeric",
                    detail={"channel": name, "rows": [row]},
                )
            if index not in plan.channel_indexes:
                plan.channel_indexes.append(index)
    return plan


def _no_channel_error(names, time_index, kinds, columns) -> IngestError:
    examples = []
    for i, (kind, _, bad) in enumerate(kinds):
        if i != time_index and kind == "text":
            example = columns[i][int(np.flatnonzero(bad)[0])]
            examples.append(f"'{names[i]}' has text such as '{example}'")
    others = [name for i, name in enumerate(names) if i != time_index]
    if not others:
        why = "it has only the time column"
    elif examples:
        why = "; ".join(examples)
    else:
        why = "its columns are empty"
    return IngestError(
        f"The file has no numeric column to use as a channel: {why}.",
        code="no_numeric_channel",
        detail={"columns": names, "time_column": None if time_index is None else names[time_index]},
    )


def _plan_time(plan: Plan, cells: list[str], classified, time_format: str | None) -> None:
    kind, values, bad = classified
    name = plan.names[plan.time_index]
    present_positions = [i for i, cell in enumerate(cells) if cell.strip()]
    if kind == "empty":
        raise IngestError(
            f"The time column '{name}' has no values in its first rows.",
            code="unparseable_time",
            detail={"column": name, "rows": [i + 1 for i in range(min(len(cells), 10))]},
        )
    if time_format:
        _plan_time_as(plan, cells, classified, time_format)
        return
    if kind == "numeric":
        plan.time_kind = "numeric"
        unit = epoch_unit(name, values)
        if unit:
            plan.time_kind, plan.epoch_unit, plan.aware = "datetime", unit, True
            word = "seconds" if unit == "s" else "milliseconds"
            plan.warnings.append(
                f"The time column '{name}' holds Unix epoch {word}; "
                "they were read as UTC date-times."
            )
        elif (looks := epoch_unit_of_values(values)) is not None:
            word = "seconds" if looks == "s" else "milliseconds"
            plan.warnings.append(
                f"The time column '{name}' looks like Unix epoch {word} but was kept as numbers; "
                "name the column 'timestamp' to read it as date-times."
            )
        return
    present = [cells[i] for i in present_positions]
    offsets = offsets_mask(present)
    plan.aware = bool(offsets.sum() * 2 > len(present))
    scored = []
    for family in DATE_FAMILIES:
        ok = parse_datetimes(present, family, aware=plan.aware)[1]
        scored.append((family, int(ok.sum())))
    full = [family for family, count in scored if count == len(present)]
    best_family, best_count = max(scored, key=lambda item: item[1])
    numeric_count = int((~bad & ~np.isnan(values)).sum())
    if full:
        plan.time_kind, plan.families = "datetime", full
    elif best_count and best_count >= numeric_count:
        plan.time_kind, plan.families = "datetime", [best_family]
    elif numeric_count:
        plan.time_kind = "numeric"
    else:
        failed = [(i + 1, cells[i]) for i in present_positions]
        raise unparseable_error(name, failed, len(failed), what="a time or a number")


def _plan_time_as(plan: Plan, cells: list[str], classified, time_format: str) -> None:
    """The time column read the way the uploader said (``TIME_FORMATS``), not guessed."""
    kind, values, bad = classified
    name = plan.names[plan.time_index]
    if time_format in ("number", "epoch_s", "epoch_ms"):
        if kind != "numeric":
            failed = [(i + 1, cells[i]) for i in np.flatnonzero(bad)]
            raise unparseable_error(name, failed, len(failed), what="a number")
        plan.time_kind = "numeric"
        if time_format != "number":
            plan.time_kind, plan.epoch_unit, plan.aware = "datetime", time_format[6:], True
        return
    family = next(f for f in DATE_FAMILIES if f.key == time_format)
    present = [cell for cell in cells if cell.strip()]
    plan.aware = bool(offsets_mask(present).sum() * 2 > len(present))
    plan.time_kind, plan.families = "datetime", [family]


def unparseable_error(name: str, failures, total: int, *, what: str) -> IngestError:
    rows = [row for row, _ in failures]
    examples = ", ".join(f"'{value}'" if value.strip() else "(empty)" for _, value in failures[:3])
    return IngestError(
        f"The time column '{name}' has values that cannot be read as {what} at "
        f"{rows_text(rows, total)} ({examples}). Fix or remove those rows. {ROWS_NOTE}",
        code="unparseable_time",
        detail={"column": name, "rows": rows[:MAX_DETAIL_ROWS], "count": total},
    )
