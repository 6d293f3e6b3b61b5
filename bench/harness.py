"""What the benchmarks share: private servers, a member and a logged-in session, a
streamed multipart body, RSS readings and the result table.

A benchmark measures its figure and a baseline in the same run, on the same servers, and
prints both with their ratio; none asserts a timing.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import requests
from flask import Flask

from tests.fixtures import LONG_MP3_NAME, audio_file
from tests.helpers import csrf_token
from tests.logins import log_in_http

MIB = 1024 * 1024
PASSWORD = "bench-password-42"
#: A real MP3 (4 minutes, 3.7 MiB): payloads start with it so upload sniffing accepts them.
LONG_MP3 = audio_file(LONG_MP3_NAME)
SHORT_MP3 = audio_file("tone-440hz-5s.mp3")


def bench_settings(servers, workdir: str, **extra: object) -> dict:
    """Settings for the apps and processes of one benchmark run (no rate limits, no
    storage quota)."""
    return {
        "ENCORE_ENV": "testing",
        "MONGODB_URI": servers.mongodb_uri,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": "bench",
        "SECURITY_PASSWORD_SALT": "bench",
        "INSTANCE_PATH": workdir,
        "LOG_LEVEL": "WARNING",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "API_WRITE_RATE_LIMIT": "100000 per minute",
        "UPLOAD_RATE_LIMIT": "100000 per minute",
        "STORAGE_QUOTA_MB": 0,
        **extra,
    }


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class BenchRun:
    """Private MongoDB and Redis in a temporary folder, the app built on them in this
    process (for direct database work), and the processes started for the run."""

    workdir: Path
    settings: dict
    app: Flask
    _stack: ExitStack = field(repr=False)

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    def web_server(self, name: str = "web"):
        """The real web entry point (wsgi.py, eventlet) on a free port, stopped at the end
        of the run. Its process is ``.process``; its log is kept in the run's folder."""
        from tests.servers import start_live_server

        server = start_live_server(self.settings, self.logs / f"{name}.log")
        self._stack.callback(server.stop)
        return server

    def keep(self, process: Popen) -> Popen:
        """Stop ``process`` at the end of the run."""
        from app.processes import stop

        self._stack.callback(stop, process)
        return process

    def member(self, username: str = "bench"):
        """An active member with PASSWORD, created through the accounts service."""
        from app.accounts.services import create_user

        with self.app.app_context():
            return create_user(
                username=username,
                first_name="Bench",
                last_name="Mark",
                email=f"{username}@example.org",
                password=PASSWORD,
                roles=["Public"],
            )


@contextmanager
def bench_run(**extra_settings: object) -> Iterator[BenchRun]:
    """Start private servers for one benchmark; everything stops and the folder is
    removed on the way out, whatever happens."""
    from app import create_app
    from app.accounts.services import ensure_roles
    from tests.servers import private_servers

    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="encore-bench-"))
        servers = stack.enter_context(private_servers(Path(workdir)))
        settings = bench_settings(servers, workdir, **extra_settings)
        app = create_app(settings)
        with app.app_context():
            ensure_roles()
        # Processes registered later stop first, before the servers they use.
        with ExitStack() as processes:
            yield BenchRun(Path(workdir), settings, app, processes)


def log_in(url: str, username: str) -> tuple[requests.Session, str]:
    """A session logged in as ``username`` (with PASSWORD) the way the tests log in on a
    running server, and the CSRF token for its requests."""
    http = log_in_http(url, username, PASSWORD)
    return http, csrf_token(http.get(f"{url}/songs/upload", timeout=30).text)


def mp3_payload(size: int, piece: int = 256 * 1024) -> Callable[[], Iterator[bytes]]:
    """``size`` bytes that start like an MP3 (the 4-minute tone), then incompressible
    bytes, as a function giving fresh pieces of at most ``piece`` bytes each time it is
    called. Only 1 MiB of filler is ever held, whatever ``size``."""
    head = LONG_MP3.read_bytes()[:size]
    filler = os.urandom(MIB)

    def pieces() -> Iterator[bytes]:
        for position in range(0, len(head), piece):
            yield head[position : position + piece]
        left = size - len(head)
        while left > 0:
            block = filler[: min(left, MIB)]
            for position in range(0, len(block), piece):
                yield block[position : position + piece]
            left -= len(block)

    return pieces


def sha256_of(pieces: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


class MultipartBody:
    """A multipart/form-data body with text fields and one file, produced piece by piece.

    It has a length, so requests sends Content-Length (not chunked) and iterates it
    without ever holding the file: what a browser's upload looks like on the wire."""

    def __init__(
        self,
        fields: dict[str, str],
        *,
        file_field: str,
        filename: str,
        file_type: str,
        file_size: int,
        file_pieces: Callable[[], Iterator[bytes]],
    ) -> None:
        self.boundary = f"bench-{uuid.uuid4().hex}"
        parts = [
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        parts.append(
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            f"Content-Type: {file_type}\r\n\r\n"
        )
        self._head = "".join(parts).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._file_size = file_size
        self._file_pieces = file_pieces

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self._file_size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        yield from self._file_pieces()
        yield self._tail


def upload_song(
    url: str,
    http: requests.Session,
    token: str,
    *,
    size: int,
    pieces: Callable[[], Iterator[bytes]],
    title: str = "Bench",
) -> dict:
    """POST /songs as the upload page does, streaming the file; the 201 JSON answer."""
    body = MultipartBody(
        {"title": title},
        file_field="file",
        filename="bench.mp3",
        file_type="audio/mpeg",
        file_size=size,
        file_pieces=pieces,
    )
    answer = http.post(
        f"{url}/songs",
        data=body,
        headers={
            "Content-Type": body.content_type,
            "X-CSRFToken": token,
            "Accept": "application/json",
        },
        timeout=600,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:300]}")
    return answer.json()


def rss_bytes(pid: int) -> int:
    """Resident set size of process ``pid`` (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def verdict(value: float, target: float, *, at_least: bool = True) -> str:
    met = value >= target if at_least else value < target
    return "met" if met else "MISSED"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table, first column left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()
