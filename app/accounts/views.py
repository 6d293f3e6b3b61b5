"""Account pages of our own, beside Flask-Security's."""

from flask import Blueprint, render_template

blueprint = Blueprint("accounts", __name__)


@blueprint.get("/register/check-inbox")
def check_inbox():
    """Where registering leads (SECURITY_POST_REGISTER_VIEW): the account waits for the
    link in the activation mail, which this page can send again."""
    return render_template("security/check_inbox.html")
