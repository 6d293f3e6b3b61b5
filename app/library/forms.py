"""HTML forms for songs and albums. They carry CSRF and the raw values; the rules
themselves live in the services, whose errors are shown on the matching fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.errors import ValidationFailed


class SongForm(FlaskForm):
    title = StringField(_l("Title"))
    artist = StringField(_l("Artist"))
    rating = SelectField(
        _l("Rating"),
        choices=[SelectChoice("", _l("No rating"))]
        + [SelectChoice(str(n), "★" * n) for n in range(1, 6)],
    )
    album = SelectField(_l("Album"), choices=[], validate_choice=False)


class AlbumForm(FlaskForm):
    title = StringField(_l("Title"))
    artist = StringField(_l("Artist"))
    year = StringField(_l("Year"))


class DeleteAlbumForm(FlaskForm):
    songs = RadioField(
        _l("Its songs"),
        choices=[
            SelectChoice("keep", _l("Keep them, without an album")),
            SelectChoice("delete", _l("Delete them too")),
        ],
        default="keep",
        validators=[InputRequired()],
    )


def show_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put a service's ValidationFailed onto the form's fields (or the form itself)."""
    for name, reason in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), reason]
        else:
            form.form_errors.append(reason)
