"""Account rules, shared by the CLI, the admin area and the API."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_security import hash_password, verify_and_update_password, verify_password
from flask_security.mail_util import EmailValidateException
from flask_security.utils import send_mail
from mongoengine import NotUniqueError

from app import paging
from app.accounts import lockout
from app.accounts.datastore import USERS, UserDatastore, normalise_identity, role_count_name
from app.accounts.models import ADMIN_ROLE, PUBLIC_ROLE, Role, User
from app.accounts.permissions import DEFAULT_PERMISSIONS, USERS_MANAGE, active_holders
from app.accounts.ranks import rerank_accounts
from app.accounts.search_words import WORD_FIELDS, words_of
from app.config import N_
from app.errors import LoginLocked, NotFound, ValidationFailed
from app.exports.services import delete_exports_of
from app.i18n.selection import language_for, request_language
from app.library.services import delete_library_of
from app.notifications.services import delete_notifications_of
from app.signals import sessions_ended

#: The built-in roles' descriptions, stored in English as made; shown in the reader's
#: language while unchanged (``role_description``).
ROLE_DESCRIPTIONS = {
    ADMIN_ROLE: N_("Manages users, roles and all content."),
    PUBLIC_ROLE: N_("A member: manages their own songs and albums."),
}


def role_description(description: str | None) -> str:
    """A role's description as shown: a built-in one as made is translated, one an admin
    wrote is shown as written."""
    if description in ROLE_DESCRIPTIONS.values():
        return _(description)
    return description or ""


def _security():
    return current_app.extensions["security"]


def datastore() -> UserDatastore:
    return _security().datastore


def ensure_roles(*, grant_defaults: bool = False) -> list[Role]:
    """Create the Admin and Public roles if they are missing, with their default
    permissions (safe to run again). ``grant_defaults`` also gives existing ones any
    default permission they lack: how a database made before permissions is brought up
    to date (``flask users init``)."""
    roles = []
    for name, description in ROLE_DESCRIPTIONS.items():
        try:
            role = datastore().find_or_create_role(name, description=description)
            datastore().commit()
        except NotUniqueError:  # created by a concurrent caller: use theirs
            role = Role.objects.get(name=name)
        if grant_defaults:
            # $addToSet: idempotent, and keeps permissions an admin added.
            role.update(add_to_set__permissions=list(DEFAULT_PERMISSIONS[name]))
            role.reload()
        roles.append(role)
    return roles


def role_named(name: str) -> Role:
    role = Role.objects(name=name).first()
    if role is None:
        known = ", ".join(sorted(Role.objects.distinct("name"))) or "none"
        raise ValidationFailed(
            {"role": _("no role named '%(name)s' (known: %(known)s)", name=name, known=known)}
        )
    return role


def check_username(username: str) -> str:
    """The stored form of ``username``; ValidationFailed if invalid or taken."""
    message, normalised = _security().username_util.validate(username or "")
    if message or not normalised:
        raise ValidationFailed({"username": message or _("must not be empty")})
    normalised = normalise_identity(normalised)
    if User.objects(username=normalised).first() is not None:
        raise ValidationFailed({"username": _("%(name)s is already taken", name=normalised)})
    return normalised


def check_email(email: str) -> str:
    """The stored form of ``email``; ValidationFailed if invalid or taken."""
    try:
        normalised = _security().mail_util.validate(email or "")
    except EmailValidateException as error:
        raise ValidationFailed({"email": str(error.msg)}) from None
    if User.objects(email=normalised).first() is not None:
        raise ValidationFailed({"email": _("%(email)s is already registered", email=normalised)})
    return normalised


def check_password(password: str, **user_fields: str) -> str:
    """The normalised password; ValidationFailed with every reason it is too weak."""
    problems, normalised = _security().password_util.validate(password or "", True, **user_fields)
    if problems:
        raise ValidationFailed({"password": " ".join(str(problem) for problem in problems)})
    return normalised


def check_name(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: _("must not be empty")})
    if len(value) > 80:
        raise ValidationFailed({field: _("must be at most 80 characters")})
    return value


def update_names(user: User, *, first_name: str, last_name: str) -> User:
    """Set ``user``'s first and last name, by the registration's rules; nothing is stored
    unless both are valid."""
    names = {
        "first_name": check_name("first_name", first_name),
        "last_name": check_name("last_name", last_name),
    }
    for field, value in names.items():
        setattr(user, field, value)
    user.save()
    return user


def send_email_changed_notice(user: User, old_email: str) -> None:
    """Tell ``old_email`` that the account's address is now ``user.email`` (queued mail),
    so that a change the owner did not make does not go unnoticed."""
    with force_locale(language_for(user, request_language())):
        send_mail(
            _("Your Encore email address was changed"),
            old_email,
            "security/email/email_changed_notice",
            user=user,
            old_email=old_email,
        )


def create_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    roles: list[str],
    confirmed: bool = True,
) -> User:
    """Create an active account, confirmed unless told otherwise. Every rule is checked
    before anything is stored; a duplicate that slips in concurrently is refused by the
    unique indexes and reported the same way."""
    username = check_username(username)
    email = check_email(email)
    first_name = check_name("first_name", first_name)
    last_name = check_name("last_name", last_name)
    password = check_password(
        password, username=username, email=email, first_name=first_name, last_name=last_name
    )
    role_documents = [role_named(name) for name in roles]
    try:
        user = datastore().create_user(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=hash_password(password),
            roles=role_documents,
            confirmed_at=datetime.now(UTC) if confirmed else None,
        )
        datastore().commit()
    except NotUniqueError:
        raise ValidationFailed(
            {"username": _("this username or email was registered a moment ago")}
        ) from None
    return user


def find_user(identity: str) -> User:
    """The user with this email or username; NotFound otherwise."""
    normalised = normalise_identity(identity)
    user = User.objects(email=normalised).first() or User.objects(username=normalised).first()
    if user is None:
        raise NotFound(_("no user with email or username '%(identity)s'", identity=identity))
    return user


def authenticate(identity: str, password: str) -> User | None:
    """The active, confirmed account with this email or username and password, or None.

    One password hash is checked whether or not the account exists (a throw-away one when
    it does not), so the time taken does not tell which identities have an account. A
    wrong password or unknown identity counts towards a lockout; a locked identity is
    refused with LoginLocked before its password is looked at (app/accounts/lockout.py)."""
    _refuse_if_locked(identity)
    normalised = normalise_identity(identity)
    user = User.objects(email=normalised).first() or User.objects(username=normalised).first()
    if user is None:
        verify_password(password, _stand_in_hash())
        _count_failure(identity)
        return None
    if not verify_and_update_password(password, user):
        _count_failure(identity)
        return None
    lockout.clear(identity)
    return user if user.active and user.confirmed_at is not None else None


def _refuse_if_locked(identity: str) -> None:
    if seconds := lockout.seconds_locked(identity):
        raise LoginLocked(lockout.locked_message(), seconds)


def _count_failure(identity: str) -> None:
    if lockout.record_failure(identity):
        _refuse_if_locked(identity)


def reset_password(user: User, password: str) -> User:
    """Give ``user`` a new password, checked by the rules of registration; this unlocks
    them and ends every session, token and socket they have."""
    password = check_password(
        password,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
    )
    user.password = hash_password(password)
    user.save()
    lockout.clear_user(user)
    end_sessions(user)
    return user


def _stand_in_hash() -> str:
    """A hash of a random password made with the app's own hasher settings, once per app:
    checking a password against it costs what checking a real one does."""
    extensions = current_app.extensions
    if "stand_in_password_hash" not in extensions:
        extensions["stand_in_password_hash"] = hash_password(secrets.token_urlsafe(24))
    return extensions["stand_in_password_hash"]


def grants(role_names: list[str], permission: str) -> bool:
    return any(permission in role_named(name).get_permissions() for name in role_names)


def check_keeps_a_manager(
    user: User, *, roles: list[str] | None = None, active: bool = True
) -> None:
    """Refuse to leave nobody able to manage users: the last active user holding
    ``users:manage`` keeps it, stays active and is not deleted."""
    if not (user.active and user.has_permission(USERS_MANAGE)):
        return
    if active and (roles is None or grants(roles, USERS_MANAGE)):
        return
    if active_holders(USERS_MANAGE) <= 1:
        raise ValidationFailed(
            {
                "roles": _(
                    "%(username)s is the last active user who can manage users "
                    "(users:manage): give it to someone else first.",
                    username=user.username,
                )
            }
        )


def set_roles(user: User, role_names: list[str]) -> User:
    """Replace ``user``'s roles."""
    user.roles = [role_named(name) for name in dict.fromkeys(role_names)]
    datastore().put(user)  # counts the holders of each role
    return user


def set_active(user: User, active: bool) -> User:
    """Activate or deactivate; deactivating also ends the user's sessions, tokens and
    open sockets."""
    if active:
        datastore().activate_user(user)
        datastore().commit()
    else:
        datastore().deactivate_user(user)
        end_sessions(user)
    return user


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: every session and API token stops working (a new
    ``fs_uniquifier``), and ``sessions_ended`` closes every socket they have open."""
    datastore().set_uniquifier(user)
    datastore().commit()
    _announce_sessions_ended(str(user.id))


def second_factors_of(user: User) -> list[str]:
    """What ``user`` has set up besides the password, in words."""
    found = []
    if user.tf_primary_method:
        found.append(_("authenticator app"))
    if user.mf_recovery_codes:
        found.append(
            ngettext("%(num)s recovery code", "%(num)s recovery codes", len(user.mf_recovery_codes))
        )
    if user.webauthn:
        found.append(ngettext("%(num)s passkey", "%(num)s passkeys", len(user.webauthn)))
    return found


def reset_second_factors(user: User) -> list[str]:
    """Remove ``user``'s authenticator app, recovery codes and passkeys (for a lost phone);
    returns what there was. The password keeps working; a role that requires a second
    factor sets one up again at the next login."""
    removed = second_factors_of(user)
    store = datastore()
    store.tf_reset(user)
    store.mf_set_recovery_codes(user, None)
    store.webauthn_reset(user)
    user.reload()
    return removed


def delete_user(user: User) -> None:
    """Delete the account and everything it owns: exports, songs with their audio files,
    albums, notifications, then the account itself (its tokens die with it); its open
    sockets are closed (``sessions_ended``). Each step may be repeated: a run cut short
    is finished by running it again, and the counters stay right."""
    user_id = str(user.id)
    delete_exports_of(user)
    delete_library_of(user)
    delete_notifications_of(user)
    datastore().delete_user(user)
    datastore().commit()
    _announce_sessions_ended(user_id)


def _announce_sessions_ended(user_id: str) -> None:
    sessions_ended.send(current_app._get_current_object(), user_id=user_id)


def repair_user_counts() -> int:
    """Give positions to accounts stored without one (made before positions existed),
    oldest first, put their ranks and search words right (app/accounts/ranks.py,
    app/accounts/search_words.py), and set the counts of accounts (in all, active,
    unconfirmed, worded, holding each role) to what they are. Returns how many were
    wrong. A background job: it reads every account."""
    users = User._get_collection()
    wrong = 0
    for doc in users.find({"seq": None}, sort=[("created_at", 1), ("_id", 1)]):
        users.update_one({"_id": doc["_id"]}, {"$set": {"seq": paging.next_position(USERS)}})
        wrong += 1
    wrong += rerank_accounts(users)
    wrong += reword_accounts(users)
    actual = {
        "users": users.count_documents({}),
        "active": users.count_documents({"active": True}),
        "unconfirmed": users.count_documents({"confirmed_at": None}),
    }
    actual["worded"] = actual["users"]  # every account has its words now
    for role in Role.objects.only("id"):
        actual[role_count_name(role.id)] = users.count_documents({"roles": role.id})
    counter = paging.read_counters(USERS)[USERS]
    held = {role_count_name(role_id): n for role_id, n in counter.get("roles", {}).items()}
    drifted = {name: n for name, n in actual.items() if {**counter, **held}.get(name, 0) != n}
    if drifted:
        paging.counters().update_one({"_id": USERS}, {"$set": drifted}, upsert=True)
        wrong += 1
    return wrong


def reword_accounts(users) -> int:
    """Set the search words of every account whose stored words are missing or not
    what its names say; returns how many there were."""
    wrong = 0
    for doc in users.find({}, {field: 1 for field in ("search_words", *WORD_FIELDS)}):
        words = words_of(doc)
        if doc.get("search_words") != words:
            users.update_one({"_id": doc["_id"]}, {"$set": {"search_words": words}})
            wrong += 1
    return wrong
