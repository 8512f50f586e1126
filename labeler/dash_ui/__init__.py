"""The labeling screen (SPEC §5): one Dash app embedded in Django with django-plotly-dash.

ids.py (element ids), layout.py, figures.py (pure figure builders), state.py (pure state
transitions), edits.py (label edits through the working-state services), callbacks.py
(small callbacks registered by ``register(app)``), app.py (the DjangoDash instance),
access.py (login + CSRF around django-plotly-dash's views). Browser-side glue lives in
labeler/static/labeler/ui.js; see docs/ui.md.
"""
