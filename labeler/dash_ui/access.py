"""Access rules around django-plotly-dash's views (PLOTLY_DASH["view_decorator"]).

Every view of the Dash app needs a logged-in user. dpd wraps its callback view
(`_dash-update-component`) in csrf_exempt; here it is CSRF-protected again: the Dash renderer
sends the token from the cookie CSRF_COOKIE_NAME ("_csrf_token") as X-CSRFToken, so a POST from
another site, which cannot read the cookie, is refused with 403.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_protect

UPDATE_VIEW_NAME = "update-component"
SESSION_KEY = "django_plotly_dash"


def dash_view_protect(view_function, *, name=None, **kwargs):
    is_update = name == UPDATE_VIEW_NAME

    # Not functools.wraps: that would copy dpd's csrf_exempt mark onto the new view.
    def protected_view(request, *args, **view_kwargs):
        if not request.user.is_authenticated:
            if is_update or request.method != "GET":
                return JsonResponse({"error": "Log in first.", "detail": None}, status=403)
            return redirect_to_login(request.get_full_path())
        if not is_update:
            return view_function(request, *args, **view_kwargs)
        before = request.session.get(SESSION_KEY)
        response = view_function(request, *args, **view_kwargs)
        if before is not None and request.session.get(SESSION_KEY) == before:
            # dpd stores its (unused here) app state back on every callback: skip the write.
            request.session.modified = False
        return response

    protected_view.__name__ = getattr(view_function, "__name__", "dash_view")
    return csrf_protect(protected_view) if is_update else protected_view
