import time

from flask import Blueprint, current_app, jsonify, render_template
from flask_security import auth_required, current_user

from app.signals import demo_ping

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
def index():
    return render_template("main/index.html")


@blueprint.post("/demo/ping")
@auth_required("session", "token")
def ping():
    """Start a round trip web -> signal -> Celery -> Socket.IO; the answer arrives live."""
    demo_ping.send(
        current_app._get_current_object(), user_id=str(current_user.id), sent_at=time.time()
    )
    return jsonify({"queued": True}), 202
