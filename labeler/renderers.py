"""Renderers beyond DRF's JSON: the binary plot window (docs/data-format.md)."""

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from labeler.errors import InvalidInput
from labeler.ingest.window_binary import MEDIA_TYPE


class WindowBinaryRenderer(BaseRenderer):
    """``?format=binary`` or ``Accept: application/octet-stream``: the body is already bytes.
    Errors stay JSON whatever was asked for."""

    media_type = MEDIA_TYPE
    format = "binary"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown ``?format=`` is a 400 naming the formats, not DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            known = ", ".join(renderer.format for renderer in renderers)
            raise InvalidInput(f"Unknown format; this endpoint answers: {known}.") from None
