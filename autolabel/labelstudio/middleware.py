from config.health import health


class LabelStudioRootMiddleware:
    """`GET /` asking for JSON (how Label Studio checks a backend URL) gets /health's answer;
    a browser asking for HTML gets the labeling UI."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.method == "GET" and _wants_json(request):
            return health(request)
        return self.get_response(request)


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept
