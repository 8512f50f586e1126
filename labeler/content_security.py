"""Content-Security-Policy of every response: scripts only from this server (plus the one inline
line dash's renderer needs, allowed by its hash), nothing framed or framing beyond this origin.

Styles allow 'unsafe-inline': Plotly and the Dash components insert <style> elements at run
time. Images allow data: and blob: (the page icon, Plotly's image export).
"""

import base64
import hashlib

# What django-plotly-dash's {% plotly_direct %} writes inline to start the Dash renderer.
DASH_RENDERER_SCRIPT = "var renderer = new DashRenderer();"


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {_script_hash(DASH_RENDERER_SCRIPT)}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
