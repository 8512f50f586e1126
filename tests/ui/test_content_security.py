"""The pages work under their Content-Security-Policy: no violation reported by Chromium while
the labeling screen plots a file, the API docs render, the login and admin pages load."""

import pytest
from django.test import Client

from tests.ui.test_browser import GRAPH_READY, demo_project

pytestmark = [pytest.mark.browser]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def violations(page, console) -> list[str]:
    reported = page.evaluate("() => window.__cspViolations")
    return reported + [line for line in console if "Content Security Policy" in line]


def watched_page(context):
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    return page, console


def test_the_labeling_screen_runs_under_the_policy(context, live_app):
    page, console = watched_page(context)
    project = demo_project(context, live_app)
    page.goto(f"{live_app.base_url}/?project={project['id']}")
    page.locator("#file-list a", has_text="bm_dev_01.csv").click()
    page.wait_for_function(GRAPH_READY, timeout=30_000)
    page.locator("#graph path.js-line").first.wait_for()
    assert page.locator("#graph path.js-line").count() >= 6
    page.wait_for_timeout(500)
    assert violations(page, console) == []


def test_the_api_docs_run_under_the_policy(context, live_app):
    page, console = watched_page(context)
    page.goto(f"{live_app.base_url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    assert violations(page, console) == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_login_pages_run_under_the_policy(browser, live_app, path):
    context = browser.new_context()
    page, console = watched_page(context)
    page.goto(f"{live_app.base_url}{path}")
    page.locator("input[name=username]").wait_for()
    assert violations(page, console) == []
    context.close()


def test_every_page_sends_the_policy(user):
    browser = Client()
    browser.force_login(user)
    policy = browser.get("/")["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert browser.get("/")["X-Frame-Options"] == "SAMEORIGIN"
    assert Client().get("/accounts/login/")["Content-Security-Policy"] == policy
