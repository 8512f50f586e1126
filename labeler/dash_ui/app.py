"""The DjangoDash instance of the labeling screen (a stateless app, one per process: it holds
the layout and the callbacks only, never data of a user)."""

from django_plotly_dash import DjangoDash

from labeler.dash_ui import callbacks, layout

APP_NAME = "labeler"

app = DjangoDash(APP_NAME, serve_locally=True, suppress_callback_exceptions=True)
app.layout = layout.build_layout()
callbacks.register(app)
