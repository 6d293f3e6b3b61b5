"""Worker entry point: ``celery -A celery_worker worker`` (and ``beat``).

Builds the Flask app once per worker with ``worker=True``: a write-only Socket.IO emitter,
no eventlet, and a MongoDB connection re-made in every forked child.
"""

from celery.signals import worker_process_init, worker_ready

from app import create_app
from app.database import reconnect_mongodb

flask_app = create_app(worker=True)
celery = flask_app.extensions["celery"]


@worker_process_init.connect
def _reconnect_after_fork(**_: object) -> None:
    reconnect_mongodb(flask_app)


@worker_ready.connect
def _sweep_on_start(**_: object) -> None:
    """A starting worker picks up songs whose tasks were lost while none was running."""
    celery.send_task("uploads.requeue_stuck_songs")
