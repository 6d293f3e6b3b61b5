"""Tokens: obtain, revoke, and read them from ``Authorization: Bearer``."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_security import auth_required, current_user
from flask_smorest import Blueprint

from app.accounts.limits import rate_limit
from app.accounts.second_factor_lockout import counted_token_refusal
from app.accounts.services import authenticate, end_sessions
from app.accounts.sessions import issue_token as new_token
from app.api.schemas import ProblemSchema, TokenRequestSchema, TokenSchema, UserSchema
from app.errors import problem

PREFIX = ""
blueprint = Blueprint("api_auth", __name__, description="Tokens and the current user")


class BearerTokenMiddleware:
    """Accept ``Authorization: Bearer <token>`` for Flask-Security's token header."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token and "HTTP_AUTHENTICATION_TOKEN" not in environ:
            environ["HTTP_AUTHENTICATION_TOKEN"] = token.strip()
        return self.wsgi_app(environ, start_response)


@blueprint.route("/auth/token", methods=["POST"])
@rate_limit("LOGIN_RATE_LIMIT", scope="api-token")
@blueprint.arguments(TokenRequestSchema)
@blueprint.response(200, TokenSchema)
@blueprint.alt_response(401, schema=ProblemSchema, description="Wrong identity or password")
@blueprint.alt_response(429, schema=ProblemSchema, description="Too many attempts")
@blueprint.doc(security=[])
def issue_token(credentials: dict):
    """Get a token with email or username and password.

    The same answer, after the same work, for an unknown user and a wrong password;
    unconfirmed and deactivated accounts get no token. An account with two-factor sign-in
    also sends its authenticator app's current ``code``; a wrong code counts towards the
    account's lockout like a wrong password. The token is accepted in the
    ``Authorization: Bearer`` header only, never in the URL.
    """
    user = authenticate(credentials["identity"], credentials["password"])
    if user is None:
        return problem(401, "Unauthorized", _("Wrong identity or password, or inactive account."))
    refusal = counted_token_refusal(user, credentials.get("code"))
    if refusal:
        return problem(401, "Unauthorized", refusal)
    return {
        "token": new_token(user),
        "token_type": "Bearer",
        "expires_in": int(current_app.config["SECURITY_TOKEN_MAX_AGE"].total_seconds()),
        "user": user,
    }


@blueprint.route("/auth/token", methods=["DELETE"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.response(204)
@blueprint.alt_response(401, schema=ProblemSchema)
def revoke_tokens():
    """Revoke every token of the current user, end their sessions and close their open
    sockets: sign out everywhere."""
    end_sessions(current_user._get_current_object())


@blueprint.route("/me", methods=["GET"])
@auth_required("token", "session")
@blueprint.response(200, UserSchema)
@blueprint.alt_response(401, schema=ProblemSchema)
def me():
    """The account the token belongs to."""
    return current_user._get_current_object()
