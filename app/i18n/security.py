"""Flask-Security's messages in the request's language, ours included.

Flask-Security looks its messages (``SECURITY_MSG_*``) and mail subjects up in its own
Babel domain ("flask_security", the catalogs it ships). The messages Encore overrides in
app/config.py are not in those catalogs: :class:`SecurityMessages` looks a message its
catalogs leave untranslated up in ours ("messages", app/translations), where the
override, marked ``N_``, was extracted to.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext
from flask_security import Security
from flask_security.babel import FsDomain


class SecurityMessages(FsDomain):
    """Flask-Security's domain, falling back to ours for the messages it does not know."""

    def gettext(self, string, **variables):
        theirs = super().gettext(string, **variables)
        if theirs != (string % variables if variables else string):
            return theirs
        return gettext(string, **variables)


def translate_security_messages(app: Flask, security: Security) -> None:
    """Give ``security`` (already bound to ``app``) the domain with the fallback."""
    security.i18n_domain = SecurityMessages(app)
    app.jinja_env.globals["_fsdomain"] = security.i18n_domain.gettext
