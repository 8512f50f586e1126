"""The header's project buttons. The dialogs they open are plain HTML in the page template
(labeler/templates/labeler/index.html) driven by static/labeler/projects.js, which writes
through the REST API (POST /api/projects/, PATCH /api/projects/{id}/); Dash only draws."""

from dash import html

NEW_PROJECT_OPEN = "project-new-open"
PROJECT_SETTINGS_OPEN = "project-settings-open"


def header_buttons():
    return [
        html.Button(
            "New project",
            id=NEW_PROJECT_OPEN,
            className="btn",
            title="Create a project: its labels, and which columns are time and channels",
        ),
        html.Button(
            "⚙",
            id=PROJECT_SETTINGS_OPEN,
            className="btn btn-icon",
            title="Project settings: labels, colors, hotkeys, time column and channels",
        ),
    ]
