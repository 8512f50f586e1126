"""CSV ingestion and the columnar cache: framework-free (no Django imports).

The Django upload API calls ``ingest_csv`` once per uploaded file; plotting, inference and
export read the cache through ``open_series``, ``series_window`` and ``write_labeled_csv``.
See docs/ingest.md.
"""

from .cache import series_cache_write
from .confidence import (
    MAX_BINS,
    UNCERTAIN_BELOW,
    confidence_buckets,
    confidence_fields,
    confidence_read,
    confidence_window,
    confidence_write,
    uncertain_share,
)
from .errors import IngestError
from .export import write_labeled_csv
from .ingest import TIME_INDEX, IngestResult, ingest_csv
from .preview import MAPPING_CODES, columns_preview
from .pyramid import pyramid_build, series_pyramid
from .series import ColumnarSeries, open_series
from .timeparse import TIME_FORMATS, time_zone_get
from .window import DEFAULT_MAX_POINTS, Window, series_window, window_json, window_select
from .window_binary import window_binary, window_binary_read

__all__ = [
    "DEFAULT_MAX_POINTS",
    "MAX_BINS",
    "MAPPING_CODES",
    "TIME_FORMATS",
    "TIME_INDEX",
    "UNCERTAIN_BELOW",
    "ColumnarSeries",
    "IngestError",
    "IngestResult",
    "Window",
    "columns_preview",
    "confidence_buckets",
    "confidence_fields",
    "confidence_read",
    "confidence_window",
    "confidence_write",
    "ingest_csv",
    "open_series",
    "pyramid_build",
    "series_cache_write",
    "series_pyramid",
    "series_window",
    "window_binary",
    "window_binary_read",
    "window_json",
    "window_select",
    "time_zone_get",
    "uncertain_share",
    "write_labeled_csv",
]
