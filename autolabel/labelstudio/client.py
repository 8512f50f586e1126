"""Talking to Label Studio: its task files and its API. Every call returns a result object
(`is_error`, `error`) instead of raising across the boundary."""

import hashlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlparse

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FetchResult:
    path: Path | None = None
    error: str = ""

    @property
    def is_error(self) -> bool:
        return bool(self.error)


@dataclass(frozen=True)
class TasksResult:
    tasks: list | None = None
    error: str = ""

    @property
    def is_error(self) -> bool:
        return bool(self.error)


def setup_hostname_accepted(hostname: str) -> bool:
    """Whether a `hostname` sent to /setup may name Label Studio: only when LABEL_STUDIO_URL is
    not set and its host is one LABEL_STUDIO_ALLOWED_HOSTS lists. /setup needs no login, so what
    it sends must never widen where the API key goes."""
    parsed = urlparse(hostname or "")
    return (
        not settings.LABEL_STUDIO_URL
        and parsed.scheme in ("http", "https")
        and bool(parsed.hostname)
        and parsed.hostname in settings.LABEL_STUDIO_ALLOWED_HOSTS
    )


def _origin(url: str) -> tuple:
    parsed = urlparse(url)
    default_port = {"http": 80, "https": 443}.get(parsed.scheme)
    return parsed.scheme, parsed.hostname, parsed.port or default_port


@dataclass(frozen=True)
class Connection:
    """Where Label Studio is (LABEL_STUDIO_URL, else an accepted /setup hostname) and the key to
    its API (LABEL_STUDIO_API_KEY, else the token /setup sent)."""

    base_url: str
    api_key: str

    @classmethod
    def for_project(cls, project_state=None) -> "Connection":
        stored = project_state.hostname if project_state else ""
        base = settings.LABEL_STUDIO_URL or (stored if setup_hostname_accepted(stored) else "")
        key = settings.LABEL_STUDIO_API_KEY or (project_state.access_token if project_state else "")
        return cls(base_url=base.rstrip("/"), api_key=key)

    def headers(self, url: str = "") -> dict:
        """The API key, only for Label Studio itself (never for other allowed hosts)."""
        if not self.api_key or not self.base_url:
            return {}
        if url and _origin(url) != _origin(self.base_url):
            return {}
        if self.api_key.count(".") == 2:  # a JWT personal access token: exchange it first
            access = _access_token(self.base_url, self.api_key)
            return {"Authorization": f"Bearer {access}"} if access else {}
        return {"Authorization": f"Token {self.api_key}"}


def _access_token(base_url: str, refresh: str) -> str:
    try:
        response = requests.post(
            f"{base_url}/api/token/refresh/", json={"refresh": refresh}, timeout=10
        )
        response.raise_for_status()
        return response.json().get("access", "")
    except (requests.RequestException, ValueError):
        logger.warning("could not exchange the Label Studio token at %s", base_url)
        return ""


def allowed_host(url: str, connection: Connection) -> bool:
    """Only Label Studio itself, or hosts a setting names, are ever fetched from."""
    host = urlparse(url).hostname or ""
    own = urlparse(connection.base_url).hostname or ""
    return bool(host) and (host == own or host in settings.LABEL_STUDIO_ALLOWED_HOSTS)


def task_file_fetch(reference: str, connection: Connection, cache_root: Path) -> FetchResult:
    """A task's file (Label Studio upload, local-files URL, or an allowed absolute URL) as a
    local path; downloads are cached by URL (Label Studio's stored names never change)."""
    if not isinstance(reference, str) or not reference:
        return FetchResult(error="the task names no file")
    local = _local_files_path(reference)
    if local is not None:
        return local
    url = reference if urlparse(reference).scheme else None
    if url is None:
        if not connection.base_url:
            return FetchResult(
                error="set LABEL_STUDIO_URL (or LABEL_STUDIO_HOST) so task files can be read"
            )
        url = urljoin(connection.base_url + "/", reference.lstrip("/"))
    if urlparse(url).scheme not in ("http", "https") or not allowed_host(url, connection):
        return FetchResult(error=f"fetching from {urlparse(url).hostname!r} is not allowed")
    target = cache_root / hashlib.sha256(url.encode()).hexdigest() / "source.csv"
    if target.exists():
        return FetchResult(path=target)
    return _download(url, connection, target)


def _download(url: str, connection: Connection, target: Path) -> FetchResult:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    try:
        with requests.get(
            url,
            headers=connection.headers(url),
            stream=True,
            timeout=settings.LABEL_STUDIO_TIMEOUT_S,
        ) as response:
            if response.status_code != 200:
                return FetchResult(error=f"Label Studio answered {response.status_code} for {url}")
            written = 0
            with partial.open("wb") as out:
                for chunk in response.iter_content(CHUNK_BYTES):
                    written += len(chunk)
                    if written > limit:
                        return FetchResult(error=f"{url} is larger than MAX_UPLOAD_MB")
                    out.write(chunk)
        partial.replace(target)
    except requests.RequestException as error:
        return FetchResult(error=f"could not read {url}: {error.__class__.__name__}")
    finally:
        partial.unlink(missing_ok=True)
    return FetchResult(path=target)


def _local_files_path(reference: str) -> FetchResult | None:
    """`/data/local-files/?d=<path>` read from LOCAL_FILES_DOCUMENT_ROOT when it is set."""
    parsed = urlparse(reference)
    root = settings.LOCAL_FILES_DOCUMENT_ROOT
    if not root or not parsed.path.rstrip("/").endswith("/data/local-files"):
        return None
    relative = unquote((parse_qs(parsed.query).get("d") or [""])[0])
    base = Path(root).resolve()
    missing = FetchResult(
        error=f"no readable local file {relative[:200]!r} under the document root"
    )
    try:
        path = (base / relative).resolve()
        readable = path.is_relative_to(base) and path.is_file()
    except (ValueError, OSError):  # a NUL byte, a name too long for the file system
        return missing
    return FetchResult(path=path) if readable else missing


def labeled_tasks_fetch(project: str, connection: Connection) -> TasksResult:
    """Every annotated task of a Label Studio project, with its annotations (export API)."""
    if not connection.base_url:
        return TasksResult(error="set LABEL_STUDIO_URL (or LABEL_STUDIO_HOST) to train")
    url = f"{connection.base_url}/api/projects/{project}/export"
    try:
        response = requests.get(
            url,
            params={"exportType": "JSON", "download_all_tasks": "false"},
            headers=connection.headers(url),
            timeout=settings.LABEL_STUDIO_TIMEOUT_S,
        )
    except requests.RequestException as error:
        return TasksResult(error=f"could not reach Label Studio: {error.__class__.__name__}")
    if response.status_code != 200:
        return TasksResult(error=f"Label Studio answered {response.status_code} for {url}")
    try:
        tasks = response.json()
    except ValueError:
        return TasksResult(error="Label Studio's export is not JSON")
    if not isinstance(tasks, list):
        return TasksResult(error="Label Studio's export is not a list of tasks")
    return TasksResult(tasks=tasks)


def cache_clear(cache_root: Path) -> None:
    shutil.rmtree(cache_root, ignore_errors=True)
