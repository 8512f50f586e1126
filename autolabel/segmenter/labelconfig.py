"""Label Studio labeling configs: the TimeSeriesLabels / TimeSeries part the segmenter needs."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_CONFIG_CHARS = 1_000_000


class LabelConfigError(ValueError):
    """The label config cannot be used (not XML, unsafe, or no time-series labels)."""


@dataclass(frozen=True)
class LabelConfig:
    from_name: str
    to_name: str
    labels: tuple[str, ...]
    channels: tuple[str, ...]
    time_column: str | None
    value_key: str  # task data key holding the CSV (`$csv_url` -> "csv_url")
    time_format: str | None = None


def _parse_xml(xml_text: str) -> ET.Element:
    if not isinstance(xml_text, str) or not xml_text.strip():
        raise LabelConfigError("the label config is empty")
    if len(xml_text) > MAX_CONFIG_CHARS:
        raise LabelConfigError("the label config is too large")
    if _FORBIDDEN.search(xml_text):
        raise LabelConfigError("the label config may not contain DOCTYPE or ENTITY declarations")
    try:
        return ET.fromstring(xml_text)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as exc:
        raise LabelConfigError(f"the label config is not valid XML: {exc}") from None


def _time_series_tag(root: ET.Element, to_name: str) -> ET.Element:
    for element in root.iter("TimeSeries"):
        if element.attrib.get("name") == to_name:
            return element
    raise LabelConfigError(f"the label config has no <TimeSeries name={to_name!r}>")


def parse_label_config(xml_text: str) -> LabelConfig:
    """The first <TimeSeriesLabels> and the <TimeSeries> it points at (toName)."""
    root = _parse_xml(xml_text)
    labels_tag = root.find(".//TimeSeriesLabels")
    if labels_tag is None:
        raise LabelConfigError("the label config has no <TimeSeriesLabels> tag")
    from_name = labels_tag.attrib.get("name")
    to_name = labels_tag.attrib.get("toName")
    if not from_name or not to_name:
        raise LabelConfigError("<TimeSeriesLabels> needs both name and toName attributes")
    labels = tuple(tag.attrib.get("value", "") for tag in labels_tag.iter("Label"))
    if not labels or any(not label for label in labels):
        raise LabelConfigError("<TimeSeriesLabels> needs <Label value=...> entries")
    if len(set(labels)) != len(labels) or "__background__" in labels:
        raise LabelConfigError("label values must be unique and not '__background__'")
    series = _time_series_tag(root, to_name)
    channels = tuple(tag.attrib.get("column", "") for tag in series.iter("Channel"))
    if not channels or any(not column for column in channels):
        raise LabelConfigError("<TimeSeries> needs <Channel column=...> entries")
    return LabelConfig(
        from_name=from_name,
        to_name=to_name,
        labels=labels,
        channels=channels,
        time_column=series.attrib.get("timeColumn") or None,
        value_key=series.attrib.get("value", "$csv_url").lstrip("$") or "csv_url",
        time_format=series.attrib.get("timeFormat") or None,
    )
