"""Storage throughput: our GridFS path against raw pymongo GridFS, same bytes, same server.

    .venv/bin/python -m bench.storage_throughput --mib 50 --repeats 5

Upload: ``app.storage.store_stream`` fed 64 KiB pieces (what the multipart reader hands
it), and the whole HTTP path (POST /songs, multipart streamed by the client, through the
real web server), each against ``GridFSBucket.upload_from_stream`` of the same bytes.
Download: ``app.storage.open_range`` over the whole file, and GET /songs/<id>/download,
against ``GridFSBucket.open_download_stream(id).read()``. Median MiB/s over the repeats,
and the ratio to raw GridFS (target: at least 0.7x).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from bench.harness import (
    MIB,
    bench_run,
    log_in,
    median,
    mp3_payload,
    print_table,
    ratio,
    sha256_of,
    upload_song,
    verdict,
)

TARGET = 0.7
RAW_BUCKET = "bench_raw"
#: What app.storage.multipart hands store_stream on the upload path.
UPLOAD_PIECE = 64 * 1024

RAW_UP = "raw GridFS upload_from_stream"
OURS_UP = "store_stream (64 KiB pieces)"
HTTP_UP = "HTTP POST /songs (multipart)"
RAW_DOWN = "raw GridFS open_download_stream().read()"
OURS_DOWN = "open_range over the whole file"
HTTP_DOWN = "HTTP GET /songs/<id>/download"


def pieces_of(data: bytes, size: int) -> Iterator[bytes]:
    for position in range(0, len(data), size):
        yield data[position : position + size]


def timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=50, help="payload size in MiB")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    from gridfs import GridFSBucket

    from app.database import get_database
    from app.library.models import Song
    from app.library.services import delete_song
    from app.storage import delete_file, open_range, store_stream

    size = args.mib * MIB
    payload = b"".join(mp3_payload(size)())
    expected_sha256 = sha256_of([payload])
    uploads: dict[str, list[float]] = defaultdict(list)
    downloads: dict[str, list[float]] = defaultdict(list)

    with bench_run(MAX_UPLOAD_MB=args.mib + 16) as run:
        run.member()
        server = run.web_server()
        http, token = log_in(server.url, "bench")
        with run.app.app_context():
            raw = GridFSBucket(get_database(), bucket_name=RAW_BUCKET)

            def raw_upload() -> object:
                return raw.upload_from_stream("bench.mp3", io.BytesIO(payload))

            def our_upload() -> object:
                return store_stream(
                    pieces_of(payload, UPLOAD_PIECE),
                    original_filename="bench.mp3",
                    content_type="audio/mpeg",
                    max_bytes=size,
                ).file_id

            def http_upload() -> object:
                answer = upload_song(
                    server.url,
                    http,
                    token,
                    size=size,
                    pieces=lambda: pieces_of(payload, 256 * 1024),
                )
                if answer["sha256"] != expected_sha256:
                    raise RuntimeError("the web server stored different bytes")
                return answer["id"]

            def raw_download(file_id) -> int:
                return len(raw.open_download_stream(file_id).read())

            def our_download(file_id) -> int:
                return sum(len(piece) for piece in open_range(file_id, 0, size - 1))

            def http_download(song_id) -> int:
                answer = http.get(
                    f"{server.url}/songs/{song_id}/download", stream=True, timeout=600
                )
                answer.raise_for_status()
                return sum(len(piece) for piece in answer.iter_content(MIB))

            def forget(stored: dict[str, object]) -> None:
                raw.delete(stored[RAW_UP])
                delete_file(stored[OURS_UP])
                delete_song(Song.objects.get(id=stored[HTTP_UP]))

            contenders = [
                (RAW_UP, raw_upload, RAW_DOWN, raw_download),
                (OURS_UP, our_upload, OURS_DOWN, our_download),
                (HTTP_UP, http_upload, HTTP_DOWN, http_download),
            ]
            # One unmeasured round first: connections, indexes, lazy imports.
            for round_number in range(args.repeats + 1):
                measured = round_number > 0
                # Alternate the order so no contender always runs on a warmer server.
                order = contenders if round_number % 2 else contenders[::-1]
                stored: dict[str, object] = {}
                for up_name, upload, down_name, download in order:
                    seconds, stored[up_name] = timed(upload)
                    if measured:
                        uploads[up_name].append(seconds)
                    seconds, count = timed(lambda d=download, f=stored[up_name]: d(f))
                    if count != size:
                        raise RuntimeError(f"{down_name} read {count} bytes, not {size}")
                    if measured:
                        downloads[down_name].append(seconds)
                forget(stored)

    def speed(seconds: list[float]) -> float:
        return args.mib / median(seconds)

    def spread(seconds: list[float]) -> str:
        return f"{args.mib / max(seconds):.0f}-{args.mib / min(seconds):.0f}"

    rows = []
    for direction, raw_name, names in (
        (uploads, RAW_UP, (OURS_UP, HTTP_UP)),
        (downloads, RAW_DOWN, (OURS_DOWN, HTTP_DOWN)),
    ):
        baseline = speed(direction[raw_name])
        rows.append(
            [raw_name, f"{baseline:.0f}", spread(direction[raw_name]), "1.00x", "baseline", ""]
        )
        for name in names:
            value = speed(direction[name])
            rows.append(
                [
                    name,
                    f"{value:.0f}",
                    spread(direction[name]),
                    ratio(value, baseline),
                    f">= {TARGET}x",
                    verdict(value / baseline, TARGET),
                ]
            )
    print_table(
        f"{args.mib} MiB payload, median of {args.repeats} (MiB/s; ratio to raw GridFS)",
        ["path", "MiB/s", "min-max", "ratio", "target", "verdict"],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
