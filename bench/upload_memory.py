"""Upload memory: the web process's RSS while a 200 MiB file is uploaded over HTTP.

    .venv/bin/python -m bench.upload_memory --mib 200 --uploads 2

The real web server (wsgi.py) is started on private servers; a logged-in client streams
a multipart body with Content-Length from a generator (it never holds the file). The
web process's VmRSS is read every 20 ms: the baseline is the median over one idle second
just before each upload, the peak the highest reading during it. Target: growth under
30 MiB. The baseline comparison is the payload itself: growth / payload size (a server
that buffered the file would be at 1.0 or more).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

from bench.harness import (
    MIB,
    SHORT_MP3,
    bench_run,
    log_in,
    mp3_payload,
    print_table,
    rss_bytes,
    sha256_of,
    upload_song,
    verdict,
)

TARGET_GROWTH_MIB = 30
SAMPLE_SECONDS = 0.02
IDLE_SECONDS = 1.0


@dataclass
class RssSampler:
    """Reads a process's RSS in a thread; ``window()`` gives the readings of a period."""

    pid: int
    readings: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.readings.append((time.perf_counter(), rss_bytes(self.pid)))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, start: float, end: float) -> list[int]:
        return [rss for moment, rss in list(self.readings) if start <= moment <= end]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200, help="upload size in MiB")
    parser.add_argument("--uploads", type=int, default=2, help="big uploads, one after another")
    args = parser.parse_args(argv)

    size = args.mib * MIB
    pieces = mp3_payload(size)
    expected_sha256 = sha256_of(pieces())
    rows = []
    with bench_run(MAX_UPLOAD_MB=args.mib + 16) as run:
        run.member()
        server = run.web_server()
        http, token = log_in(server.url, "bench")
        # Warm-up: the first upload's imports and connections are not upload memory.
        small = SHORT_MP3.read_bytes()
        upload_song(server.url, http, token, size=len(small), pieces=lambda: iter([small]))
        with RssSampler(server.process.pid) as sampler:
            for number in range(1, args.uploads + 1):
                idle_from = time.perf_counter()
                time.sleep(IDLE_SECONDS)
                started = time.perf_counter()
                answer = upload_song(
                    server.url, http, token, size=size, pieces=pieces, title=f"Big {number}"
                )
                finished = time.perf_counter()
                time.sleep(5 * SAMPLE_SECONDS)  # one last reading after the answer
                if answer["sha256"] != expected_sha256:
                    raise RuntimeError("the web server stored different bytes")
                idle = sampler.window(idle_from, started)
                during = sampler.window(started, time.perf_counter())
                baseline = statistics.median(idle)
                growth = max(during) - baseline
                rows.append(
                    [
                        f"upload {number}",
                        f"{baseline / MIB:.1f}",
                        f"{(max(idle) - min(idle)) / MIB:.1f}",
                        f"{max(during) / MIB:.1f}",
                        f"{growth / MIB:.1f}",
                        f"{growth / size:.3f}",
                        f"{args.mib / (finished - started):.0f}",
                        f"{len(during)}",
                        f"< {TARGET_GROWTH_MIB} MiB",
                        verdict(growth / MIB, TARGET_GROWTH_MIB, at_least=False),
                    ]
                )
    print_table(
        f"web process RSS while uploading {args.mib} MiB over HTTP (MiB)",
        [
            "",
            "idle RSS",
            "idle jitter",
            "peak RSS",
            "growth",
            "growth/payload",
            "MiB/s",
            "readings",
            "target",
            "verdict",
        ],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
