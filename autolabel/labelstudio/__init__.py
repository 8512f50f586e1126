"""The Label Studio ML backend: the protocol as pure parse/format functions (protocol.py), a
client for Label Studio's API and files (client.py), the work (services.py, jobs.py) and thin
views (views.py)."""
