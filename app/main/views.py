"""The home page: what Encore is for a visitor; a member's latest songs, albums and
uploads in progress."""

from flask import Blueprint, render_template
from flask_security import current_user

from app.main.services import home_of

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/home.html", home=home_of(current_user))
