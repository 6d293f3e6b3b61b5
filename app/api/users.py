"""Users, for admins: list, read, change roles/active/names, delete."""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId
from flask_security import auth_required, current_user, roles_required
from flask_smorest import Blueprint

from app.accounts import services
from app.accounts.models import ADMIN_ROLE, User
from app.api.schemas import ProblemSchema, UserPatchSchema, UserSchema
from app.errors import NotFound, ValidationFailed

PREFIX = "/users"
blueprint = Blueprint("api_users", __name__, description="Users (Admin role only)")


def _user(user_id: str) -> User:
    try:
        user = User.objects(id=ObjectId(user_id)).first()
    except (InvalidId, TypeError):
        user = None
    if user is None:
        raise NotFound("No such user.")
    return user


@blueprint.route("", methods=["GET"])
@auth_required("token", "session")
@roles_required(ADMIN_ROLE)
@blueprint.response(200, UserSchema(many=True))
@blueprint.alt_response(403, schema=ProblemSchema)
def list_():
    """Every user, by username."""
    return list(User.objects.order_by("username"))


@blueprint.route("/<user_id>", methods=["GET"])
@auth_required("token", "session")
@roles_required(ADMIN_ROLE)
@blueprint.response(200, UserSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
def read(user_id: str):
    """One user."""
    return _user(user_id)


@blueprint.route("/<user_id>", methods=["PATCH"])
@auth_required("token", "session")
@roles_required(ADMIN_ROLE)
@blueprint.arguments(UserPatchSchema)
@blueprint.response(200, UserSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def update(changes: dict, user_id: str):
    """Change a user's names, roles or whether they may log in."""
    user = _user(user_id)
    is_self = user.id == current_user.id
    if is_self and changes.get("active") is False:
        raise ValidationFailed({"active": "you cannot deactivate yourself"})
    if is_self and "roles" in changes and ADMIN_ROLE not in changes["roles"]:
        raise ValidationFailed({"roles": "you cannot remove your own Admin role"})
    for name in ("first_name", "last_name"):
        if name in changes:
            setattr(user, name, services.check_name(name, changes[name]))
    user.save()
    if "roles" in changes:
        services.set_roles(user, changes["roles"])
    if "active" in changes and changes["active"] != user.active:
        services.set_active(user, changes["active"])
    return user


@blueprint.route("/<user_id>", methods=["DELETE"])
@auth_required("token", "session")
@roles_required(ADMIN_ROLE)
@blueprint.response(204)
@blueprint.alt_response(404, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def delete(user_id: str):
    """Delete a user with all their songs, albums and files."""
    user = _user(user_id)
    if user.id == current_user.id:
        raise ValidationFailed({"user": "you cannot delete yourself"})
    services.delete_user(user)
