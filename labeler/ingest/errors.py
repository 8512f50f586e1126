"""The one exception type that ingestion raises for input it refuses."""


class IngestError(ValueError):
    """A file was refused.

    ``message`` is a sentence a person understands (shown to the uploader as is), ``code`` a
    stable machine-readable reason (for example ``"empty_file"``), and ``detail`` a small
    JSON-serialisable dict with specifics such as the 1-based data rows involved.
    """

    def __init__(self, message: str, *, code: str, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail or {}

    def as_dict(self) -> dict:
        return {"error": self.message, "code": self.code, "detail": self.detail}
