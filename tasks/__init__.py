"""Celery bound to the Flask app, following Flask's documented pattern.

Every task runs inside an app context; tasks are declared with ``shared_task`` so they
are not tied to one Celery instance. This package is the only place tasks are defined.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from app.config import celery_settings
from tasks.broker import patch_redis_channel_close


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app`` and store it as ``app.extensions["celery"]``."""
    patch_redis_channel_close()

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_settings(app.config))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
