"""Label sets as lists and as Label Studio XML configs, both ways."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

LABEL_KINDS = ("range", "instant", "both")
DEFAULT_COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
MAX_CONFIG_BYTES = 256 * 1024
# NUL and the other C0 controls: PostgreSQL refuses NUL in text, and none belongs in a name.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_COLOR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$|^[a-zA-Z]{3,20}$")


class LabelConfigError(ValueError):
    pass


@dataclass(frozen=True)
class LabelSet:
    labels: list[dict]
    time_column: str = ""
    channels: list[str] = field(default_factory=list)
    from_name: str = "label"
    to_name: str = "ts"
    value_key: str = "csv_url"


def labels_normalise(raw_labels) -> list[dict]:
    """A list of names or of {name, color, hotkey, kind} -> validated label dicts."""
    if not isinstance(raw_labels, list) or not raw_labels:
        raise LabelConfigError("labels must be a non-empty list")
    labels, seen = [], set()
    for position, raw in enumerate(raw_labels):
        entry = {"name": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict):
            raise LabelConfigError(f"label {position + 1} must be a name or an object")
        name = str(entry.get("name", "")).strip()
        if not name or len(name) > 200:
            raise LabelConfigError(f"label {position + 1} needs a name of 1-200 characters")
        if _CONTROL_CHARACTERS.search(name):
            raise LabelConfigError(f"label {position + 1}: the name holds a control character")
        if name in seen:
            raise LabelConfigError(f"label {name!r} is listed twice")
        if name == "__background__":
            raise LabelConfigError("__background__ is reserved for unlabeled rows")
        seen.add(name)
        kind = entry.get("kind") or "both"
        if kind not in LABEL_KINDS:
            raise LabelConfigError(f"label {name!r}: kind must be one of {', '.join(LABEL_KINDS)}")
        color = entry.get("color") or DEFAULT_COLORS[position % len(DEFAULT_COLORS)]
        if not _COLOR.match(str(color)):
            raise LabelConfigError(f"label {name!r}: color must look like #1f77b4")
        hotkey = str(entry.get("hotkey") or (str(position + 1) if position < 9 else ""))
        if len(hotkey) > 1 or _CONTROL_CHARACTERS.search(hotkey):
            raise LabelConfigError(f"label {name!r}: hotkey must be one printable character")
        labels.append({"name": name, "color": color, "hotkey": hotkey, "kind": kind})
    hotkeys = [label["hotkey"] for label in labels if label["hotkey"]]
    if len(hotkeys) != len(set(hotkeys)):
        raise LabelConfigError("two labels share a hotkey")
    return labels


def label_config_parse(xml_text: str) -> LabelSet:
    """Label Studio XML (TimeSeriesLabels + TimeSeries) -> LabelSet."""
    if len(xml_text.encode()) > MAX_CONFIG_BYTES:
        raise LabelConfigError("label config is too large")
    if re.search(r"<!DOCTYPE|<!ENTITY", xml_text, re.IGNORECASE):
        raise LabelConfigError("label config must not contain DOCTYPE or ENTITY declarations")
    try:
        root = ET.fromstring(xml_text)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as error:
        raise LabelConfigError(f"label config is not valid XML: {error}") from error
    labels_tag = root.find(".//TimeSeriesLabels")
    if labels_tag is None:
        raise LabelConfigError("label config has no <TimeSeriesLabels>")
    to_name = labels_tag.get("toName", "")
    series_tag = next(
        (tag for tag in root.iter("TimeSeries") if tag.get("name") == to_name),
        root.find(".//TimeSeries"),
    )
    if series_tag is None:
        raise LabelConfigError("label config has no <TimeSeries>")
    raw_labels = [
        {
            "name": tag.get("value", ""),
            "color": tag.get("background") or None,
            "hotkey": tag.get("hotkey") or None,
            "kind": tag.get("kind") or "both",
        }
        for tag in labels_tag.iter("Label")
    ]
    return LabelSet(
        labels=labels_normalise(raw_labels),
        time_column=series_tag.get("timeColumn", ""),
        channels=[tag.get("column", "") for tag in series_tag.iter("Channel")],
        from_name=labels_tag.get("name", "label"),
        to_name=series_tag.get("name", "ts"),
        value_key=series_tag.get("value", "$csv_url").lstrip("$"),
    )


def label_config_render(label_set: LabelSet) -> str:
    """LabelSet -> Label Studio XML that label_config_parse reads back to the same set."""
    label_tags = "\n".join(
        f"    <Label value={quoteattr(label['name'])} background={quoteattr(label['color'])}"
        + (f" hotkey={quoteattr(label['hotkey'])}" if label["hotkey"] else "")
        + (f" kind={quoteattr(label['kind'])}" if label["kind"] != "both" else "")
        + "/>"
        for label in label_set.labels
    )
    has_column = label_set.time_column and not label_set.time_column.startswith("#")
    time_attr = f" timeColumn={quoteattr(label_set.time_column)}" if has_column else ""
    channel_tags = "".join(
        f"\n    <Channel column={quoteattr(name)}/>" for name in label_set.channels
    )
    return (
        "<View>\n"
        f"  <TimeSeriesLabels name={quoteattr(label_set.from_name)}"
        f" toName={quoteattr(label_set.to_name)}>\n{label_tags}\n  </TimeSeriesLabels>\n"
        f'  <TimeSeries name={quoteattr(label_set.to_name)} valueType="url"'
        f" value={quoteattr('$' + label_set.value_key)}{time_attr}>{channel_tags}\n"
        "  </TimeSeries>\n</View>\n"
    )
