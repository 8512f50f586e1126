"""Django pages of the browser UI: the labeling screen (a Dash app embedded with
django-plotly-dash) and the login page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from labeler.dash_ui.app import APP_NAME


@login_required
@ensure_csrf_cookie
def labeling_page(request):
    """The labeling screen. ensure_csrf_cookie: the Dash renderer and ui.js send the token from
    the cookie with every callback and API call."""
    return render(request, "labeler/index.html", {"dash_app_name": APP_NAME})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
