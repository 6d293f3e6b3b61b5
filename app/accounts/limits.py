"""Rate limits on the account endpoints, counted in Redis per client address."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

LOGIN_ENDPOINTS = ("security.login",)
REGISTER_ENDPOINTS = (
    "security.register",
    "security.forgot_password",
    "security.send_confirmation",
)


def init_rate_limits(app: Flask) -> Limiter:
    """One Limiter per app: a shared one would pile up each app's route limits."""
    limiter = Limiter(get_remote_address, app=app)
    login = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    register = limiter.limit(
        lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"], scope="register"
    )
    for endpoints, limit in ((LOGIN_ENDPOINTS, login), (REGISTER_ENDPOINTS, register)):
        for endpoint in endpoints:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = limit(app.view_functions[endpoint])
    return limiter
