"""The home page."""

from flask import Blueprint, render_template

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
def index():
    return render_template("main/index.html")
