"""Users, for admins: list, read, change roles/active/names, delete."""

from __future__ import annotations

from flask_security import auth_required, current_user, permissions_required
from flask_smorest import Blueprint

from app.accounts.limits import rate_limit
from app.accounts.models import User
from app.accounts.permissions import USERS_MANAGE
from app.admin.users import get_user, remove_user, role_names, update_user
from app.api.schemas import ProblemSchema, UserPatchSchema, UserSchema

PREFIX = "/users"
blueprint = Blueprint("api_users", __name__, description="Users (users:manage only)")


@blueprint.route("", methods=["GET"])
@auth_required("token", "session")
@permissions_required(USERS_MANAGE)
@blueprint.response(200, UserSchema(many=True))
@blueprint.alt_response(403, schema=ProblemSchema, description="Without users:manage")
def list_():
    """Every user, by username."""
    return list(User.objects.order_by("username"))


@blueprint.route("/<user_id>", methods=["GET"])
@auth_required("token", "session")
@permissions_required(USERS_MANAGE)
@blueprint.response(200, UserSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
def read(user_id: str):
    """One user."""
    return get_user(user_id)


@blueprint.route("/<user_id>", methods=["PATCH"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@permissions_required(USERS_MANAGE)
@blueprint.arguments(UserPatchSchema)
@blueprint.response(200, UserSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def update(changes: dict, user_id: str):
    """Change a user's names, roles or whether they may log in (recorded in the audit log).

    Nobody can deactivate themselves or take away their own ``users:manage``, and the
    last active user who can manage users keeps that permission."""
    user = get_user(user_id)
    update_user(
        current_user._get_current_object(),
        user,
        first_name=changes.get("first_name", user.first_name),
        last_name=changes.get("last_name", user.last_name),
        roles=changes.get("roles", role_names(user)),
        active=changes.get("active", user.active),
        storage_quota_mb=user.storage_quota_mb,
    )
    return user.reload()


@blueprint.route("/<user_id>", methods=["DELETE"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@permissions_required(USERS_MANAGE)
@blueprint.response(204)
@blueprint.alt_response(404, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def delete(user_id: str):
    """Delete a user with all their songs, albums and files (recorded in the audit log)."""
    remove_user(current_user._get_current_object(), get_user(user_id))
