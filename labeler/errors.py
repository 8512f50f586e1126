"""Errors a caller can fix; the API turns them into JSON 4xx answers (labeler.api_errors)."""


class UserError(Exception):
    status_code = 400

    def __init__(self, message: str, detail=None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidInput(UserError):
    status_code = 400


class Forbidden(UserError):
    status_code = 403


class NotFound(UserError):
    status_code = 404


class Conflict(UserError):
    status_code = 409


class TooLarge(UserError):
    status_code = 413


class Unavailable(UserError):
    status_code = 503
