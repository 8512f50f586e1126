"""A Dash callback request's body, checked against the app's registered callbacks before
django-plotly-dash runs it.

dpd hands any body to Dash: an empty object, an output no callback has, inputs that are not a
list or an id of the wrong type end in a 500 (or a 200 with nothing, for a body that is not
JSON). Here such a body is answered 400 with the reason, and a callback request to an app that
does not exist 404. Wired in as PLOTLY_DASH["view_decorator"], inside the access rules of
labeler.dash_ui.access (login and CSRF are checked first).
"""

import json

from django.http import JsonResponse
from django_plotly_dash.dash_wrapper import get_local_stateless_by_name

from labeler.dash_ui.access import UPDATE_VIEW_NAME, dash_view_protect

_callbacks_by_app: dict[str, dict] = {}


def dash_view_guard(view_function, *, name=None, **kwargs):
    """The view decorator dpd applies to each of its views."""
    if name == UPDATE_VIEW_NAME:
        view_function = _body_checked(view_function)
    return dash_view_protect(view_function, name=name, **kwargs)


def _body_checked(update_view):
    # Not functools.wraps: that would copy dpd's csrf_exempt mark onto the new view.
    def checked_view(request, ident, stateless=False, **kwargs):
        if stateless:
            callbacks = server_callbacks(ident)
            if callbacks is None:
                return _refused(f"There is no Dash app named {ident!r}.", 404)
            problem = callback_body_problem(request.body, callbacks)
            if problem:
                return _refused(f"Invalid Dash callback request: {problem}", 400)
        return update_view(request, ident, stateless=stateless, **kwargs)

    checked_view.__name__ = getattr(update_view, "__name__", "dash_update")
    return checked_view


def _refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message, "detail": None}, status=status)


def server_callbacks(app_name: str) -> dict | None:
    """{output string: {"inputs", "state"}} of the app's server-side callbacks, or None."""
    if app_name not in _callbacks_by_app:
        try:
            app = get_local_stateless_by_name(app_name)
        except KeyError:
            return None
        _callbacks_by_app[app_name] = {
            output: {"inputs": spec["inputs"], "state": spec["state"]}
            for output, spec in app.as_dash_instance().callback_map.items()
            if "callback" in spec  # clientside callbacks never reach the server
        }
    return _callbacks_by_app[app_name]


def callback_body_problem(raw_body: bytes, callbacks: dict) -> str | None:
    """Why this body cannot be a request for one of these callbacks, or None."""
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON."
    if not isinstance(body, dict):
        return "the body must be a JSON object."
    output = body.get("output")
    if not isinstance(output, str):
        return "output must be text naming the callback's outputs."
    spec = callbacks.get(output)
    if spec is None:
        return f"no callback of this app has the output {output[:200]!r}."
    outputs = body.get("outputs")
    expected_outputs = list if output.startswith("..") else dict
    if not isinstance(outputs, expected_outputs):
        return f"outputs must be a {'list' if expected_outputs is list else 'object'}."
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or any(not isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of text."
    return _dependencies_problem(
        "inputs", body.get("inputs"), spec["inputs"]
    ) or _dependencies_problem("state", body.get("state", []), spec["state"])


def _dependencies_problem(name: str, given, expected: list[dict]) -> str | None:
    if not isinstance(given, list):
        return f"{name} must be a list."
    if len(given) != len(expected):
        return f"{name} must hold {len(expected)} entries for this callback, not {len(given)}."
    for position, (item, wanted) in enumerate(zip(given, expected, strict=True)):
        pattern = wanted["id"].startswith("{")  # a pattern-matching id (ALL gives a list)
        for entry in item if pattern and isinstance(item, list) else [item]:
            problem = _entry_problem(entry, wanted, pattern)
            if problem:
                return f"{name}[{position}] {problem}"
    return None


def _entry_problem(entry, wanted: dict, pattern: bool) -> str | None:
    if not isinstance(entry, dict):
        return "must be an object with id and property."
    if entry.get("property") != wanted["property"]:
        return f"must be the property {wanted['property']!r}."
    if pattern:
        return None if isinstance(entry.get("id"), dict) else "needs a pattern-matching id object."
    if entry.get("id") != wanted["id"]:
        return f"must have the id {wanted['id']!r}."
    return None
