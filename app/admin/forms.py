"""Admin forms. Filter forms read the query string (GET, no CSRF); the others carry
CSRF and the raw values, whose rules live in the admin services."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.permissions import CATALOGUE
from app.library.models import STATUSES
from app.library.names import status_name

ANY = SelectChoice("", _l("Any"))


def _readable(form: FlaskForm, field: IntegerField) -> None:
    """Stop at "Not a valid integer value." instead of adding a range error about it."""
    if field.process_errors:
        raise StopValidation()


def page_field() -> IntegerField:
    return IntegerField(
        _l("Page"), default=1, validators=[_readable, Optional(), NumberRange(min=1)]
    )


#: the values of yes/no filters
YES_NO = {"": None, "yes": True, "no": False}


class QueryForm(FlaskForm):
    """A filter form over ``request.args``: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False


class UserFilterForm(QueryForm):
    q = StringField(_l("Search"))
    role = SelectField(_l("Role"), choices=[ANY], default="")
    active = SelectField(
        _l("Active"),
        choices=[ANY, SelectChoice("yes", _l("Active")), SelectChoice("no", _l("Deactivated"))],
        default="",
    )
    confirmed = SelectField(
        _l("Confirmed"),
        choices=[
            ANY,
            SelectChoice("yes", _l("Confirmed")),
            SelectChoice("no", _l("Not confirmed")),
        ],
        default="",
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("created", _l("Newest first")),
            SelectChoice("username", _l("Username")),
            SelectChoice("email", _l("Email")),
        ],
        default="created",
    )
    page = page_field()


class SongFilterForm(QueryForm):
    q = StringField(_l("Search"))
    status = SelectField(
        _l("Status"),
        choices=[ANY, *(SelectChoice(s, LazyString(status_name, s)) for s in STATUSES)],
        default="",
    )
    owner = StringField(_l("Owner"))


class AlbumFilterForm(QueryForm):
    owner = StringField(_l("Owner"))


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserEditForm(FlaskForm):
    first_name = StringField(_l("First name"))
    last_name = StringField(_l("Last name"))
    roles = CheckboxesField(_l("Roles"), choices=[])
    active = BooleanField(_l("Active (may log in)"))
    storage_quota_mb = FloatField(_l("Storage quota (MB)"), validators=[Optional()])


class BulkUsersForm(FlaskForm):
    ids = SelectMultipleField(_l("Users"), validate_choice=False)
    action = SelectField(
        _l("Chosen users"),
        choices=[
            SelectChoice("activate", _l("Activate")),
            SelectChoice("deactivate", _l("Deactivate")),
        ],
    )


class BulkSongsForm(FlaskForm):
    ids = SelectMultipleField(_l("Songs"), validate_choice=False)
    action = SelectField(
        _l("Chosen songs"),
        choices=[SelectChoice("reprocess", _l("Re-process")), SelectChoice("delete", _l("Delete"))],
    )


def _permission_label(name: str) -> str:
    return f"{name}: {CATALOGUE[name]}"


def permissions_field() -> CheckboxesField:
    """The catalogue's permissions as checkboxes. Unknown names are refused by the role
    service with the list of known ones, not by the field."""
    return CheckboxesField(
        _l("Permissions"),
        choices=[SelectChoice(name, LazyString(_permission_label, name)) for name in CATALOGUE],
        validate_choice=False,
    )


class RoleForm(FlaskForm):
    name = StringField(_l("Name"))
    description = StringField(_l("Description"))
    permissions = permissions_field()


class RoleEditForm(FlaskForm):
    description = StringField(_l("Description"))
    permissions = permissions_field()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
