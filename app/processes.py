"""Child processes: start them so they never outlive us, wait for readiness, stop them.

Shared by the embedded servers, `make run`'s runner and the test fixtures.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


class ProcessError(RuntimeError):
    """A child process failed to start, to become ready, or exited early."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends SIGTERM when our parent dies.

    This is what guarantees no orphans even if the parent is killed with SIGKILL.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    command: Sequence[str],
    *,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Start ``command`` in its own session, tied to our lifetime (strictly: to the life of
    the calling *thread*, as Linux's parent-death signal is; spawn from a thread that lives
    as long as the child should).

    Output goes to ``log_path`` when given, otherwise to our own stdout/stderr. The new
    session keeps a terminal's Ctrl-C away from it: whoever spawned it decides how it stops.
    """
    output = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        output = open(log_path, "ab")  # noqa: SIM115 - the child owns it from here
    try:
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    finally:
        if output is not None:
            output.close()


def stop(process: subprocess.Popen, timeout: float = 15.0) -> int | None:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def log_tail(log_path: Path | None, lines: int = 20) -> str:
    """The last lines of a log file, for error messages."""
    if log_path is None or not log_path.exists():
        return "(no log)"
    text = log_path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:]) or "(empty log)"


def wait_until_ready(
    process: subprocess.Popen,
    is_ready: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    log_path: Path | None = None,
) -> None:
    """Poll ``is_ready`` until it is true; raise ProcessError if the child dies or time runs out.

    On failure the child is stopped, so a failed start leaves nothing running.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ProcessError(
                f"{what} exited with code {process.returncode} before it was ready:\n"
                f"{log_tail(log_path)}"
            )
        if is_ready():
            return
        if time.monotonic() > deadline:
            stop(process)
            raise ProcessError(
                f"{what} was not ready after {timeout:.0f} s; stopped it.\n{log_tail(log_path)}"
            )
        time.sleep(0.1)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (zombies included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
