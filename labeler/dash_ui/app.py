"""The DjangoDash instance of the labeling screen (a stateless app, one per process: it holds
the layout and the callbacks only, never data of a user)."""

import warnings

from django_plotly_dash import DjangoDash

from labeler.dash_ui import callbacks, layout

APP_NAME = "labeler"

with warnings.catch_warnings():
    # dpd warns that it merely forwards extra Dash arguments; update_title is one of them.
    warnings.simplefilter("ignore", UserWarning)
    app = DjangoDash(
        APP_NAME,
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,  # the tab keeps its title while callbacks run
    )
app.layout = layout.build_layout()
callbacks.register(app)
