"""django-plotly-dash's static file finders, usable by WhiteNoise's WHITENOISE_USE_FINDERS too:
WhiteNoise lists a finder's files with ``ignore_patterns=None``, which dpd's finders cannot add
to their own pattern list."""

from django_plotly_dash import finders as dpd_finders


class DashAssetFinder(dpd_finders.DashAssetFinder):
    def list(self, ignore_patterns):
        return super().list(ignore_patterns or [])


class DashComponentFinder(dpd_finders.DashComponentFinder):
    def list(self, ignore_patterns):
        return super().list(ignore_patterns or [])


class DashAppDirectoryFinder(dpd_finders.DashAppDirectoryFinder):
    def list(self, ignore_patterns):
        return super().list(ignore_patterns or [])
