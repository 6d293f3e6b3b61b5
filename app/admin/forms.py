"""Admin forms. Filter forms read the query string (GET, no CSRF); the others carry
CSRF and the raw values, whose rules live in the admin services."""

from __future__ import annotations

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

ANY = SelectChoice("", "Any")


def _readable(form: FlaskForm, field: IntegerField) -> None:
    """Stop at "Not a valid integer value." instead of adding a range error about it."""
    if field.process_errors:
        raise StopValidation()


def page_field() -> IntegerField:
    return IntegerField("Page", default=1, validators=[_readable, Optional(), NumberRange(min=1)])


#: the values of yes/no filters
YES_NO = {"": None, "yes": True, "no": False}


class QueryForm(FlaskForm):
    """A filter form over ``request.args``: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False


class UserFilterForm(QueryForm):
    q = StringField("Search")
    role = SelectField("Role", choices=[ANY], default="")
    active = SelectField(
        "Active",
        choices=[ANY, SelectChoice("yes", "Active"), SelectChoice("no", "Deactivated")],
        default="",
    )
    confirmed = SelectField(
        "Confirmed",
        choices=[ANY, SelectChoice("yes", "Confirmed"), SelectChoice("no", "Not confirmed")],
        default="",
    )
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice("created", "Newest first"),
            SelectChoice("username", "Username"),
            SelectChoice("email", "Email"),
        ],
        default="created",
    )
    page = page_field()


class SongFilterForm(QueryForm):
    q = StringField("Search")
    status = SelectField(
        "Status", choices=[ANY, *(SelectChoice(s, s) for s in STATUSES)], default=""
    )
    owner = StringField("Owner")


class AlbumFilterForm(QueryForm):
    owner = StringField("Owner")


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserEditForm(FlaskForm):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    roles = CheckboxesField("Roles", choices=[])
    active = BooleanField("Active (may log in)")
    storage_quota_mb = FloatField("Storage quota (MB)", validators=[Optional()])


class BulkUsersForm(FlaskForm):
    ids = SelectMultipleField("Users", validate_choice=False)
    action = SelectField(
        "Chosen users",
        choices=[SelectChoice("activate", "Activate"), SelectChoice("deactivate", "Deactivate")],
    )


class BulkSongsForm(FlaskForm):
    ids = SelectMultipleField("Songs", validate_choice=False)
    action = SelectField(
        "Chosen songs",
        choices=[SelectChoice("reprocess", "Re-process"), SelectChoice("delete", "Delete")],
    )


def permissions_field() -> CheckboxesField:
    """The catalogue's permissions as checkboxes. Unknown names are refused by the role
    service with the list of known ones, not by the field."""
    return CheckboxesField(
        "Permissions",
        choices=[SelectChoice(name, f"{name}: {text}") for name, text in CATALOGUE.items()],
        validate_choice=False,
    )


class RoleForm(FlaskForm):
    name = StringField("Name")
    description = StringField("Description")
    permissions = permissions_field()


class RoleEditForm(FlaskForm):
    description = StringField("Description")
    permissions = permissions_field()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
