"""Stops each uploaded file's stream at MAX_UPLOAD_MB, before anything else keeps it.

A file whose part of the body ends early (a cut connection) never completes; the log says so.
Files over the limit are skipped (their remaining bytes are drained, never stored) and listed
on the request, so the upload API can answer "rejected" for them beside the accepted ones.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
        if request is not None:
            request.upload_log = []
        if settings.FILE_UPLOAD_TEMP_DIR:
            Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.entry = {"field": field_name, "name": file_name, "skipped": None, "complete": False}
        if self.request is not None:
            self.request.upload_log.append(self.entry)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit_bytes:
            self.entry["skipped"] = (
                f"The file is larger than the upload limit of {settings.MAX_UPLOAD_MB} MB."
            )
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        self.entry["complete"] = True
        return None
