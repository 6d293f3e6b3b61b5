from flask import Blueprint, jsonify

from app.health.services import run_checks

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 when MongoDB, Redis and a worker all answer; 503 naming what is down."""
    checks = run_checks()
    down = [check.name for check in checks if not check.ok]
    body = {
        "status": "down" if down else "ok",
        "down": down,
        "checks": {check.name: check.as_dict() for check in checks},
    }
    return jsonify(body), 503 if down else 200
