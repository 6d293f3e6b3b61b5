"""Web entry point: eventlet is patched in first, then the app is served by eventlet's WSGI server.

``python wsgi.py`` serves on WEB_HOST:WEB_PORT. This is the only module that imports
eventlet: the worker, the CLI and the tests run without it.
"""

import warnings

# eventlet warns on import that it is deprecated upstream; it is the stack's chosen server,
# contained to this entry point (docs/architecture.rst), so the known warning is silenced here.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet
import eventlet.wsgi

eventlet.monkey_patch()

from app import create_app

app = create_app({"SOCKETIO_ASYNC_MODE": "eventlet"})


def main() -> None:
    from app.accounts.services import ensure_roles
    from app.realtime.recheck import start_socket_recheck
    from app.serving import without_nagle
    from app.tls import tls_files

    with app.app_context():
        ensure_roles()
    start_socket_recheck(app)
    tls = tls_files(app)
    listener = without_nagle(eventlet.listen((app.config["WEB_HOST"], app.config["WEB_PORT"])))
    if tls:
        listener = eventlet.wrap_ssl(listener, certfile=tls[0], keyfile=tls[1], server_side=True)
    # What socketio.run() does for eventlet, with the listening socket ours to tune.
    eventlet.wsgi.server(listener, app, log_output=True)


if __name__ == "__main__":
    main()
