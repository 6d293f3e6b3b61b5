"""/dev/outbox: the development outbox, so activation links can be followed locally.

It holds every account's mail, so it answers only clients on this machine (a loopback
address) and is 404 to everyone else. The address is the one ProxyFix settles on: the
socket's peer, or with PROXY_FIX_HOPS proxies in front, what the last of them forwarded;
an X-Forwarded-For a client wrote itself is never believed.
"""

from __future__ import annotations

import ipaddress
import re

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.mail import outbox

blueprint = Blueprint("outbox", __name__, url_prefix="/dev/outbox")


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback


@blueprint.before_request
def only_this_machine() -> None:
    if not is_loopback(request.remote_addr):
        abort(404)


def _folder():
    return outbox.outbox_folder(current_app.instance_path)


@blueprint.get("/")
def index():
    return render_template("mail/outbox.html", entries=outbox.entries(_folder()))


@blueprint.get("/<entry_id>")
def show(entry_id: str):
    entry = outbox.find(_folder(), entry_id)
    if entry is None:
        abort(404, description=_("No such mail in the outbox."))
    return render_template("mail/outbox_entry.html", entry=entry)


_URL = re.compile(r"https?://[^\s<>\"']+")


@blueprint.app_template_filter("linkify")
def linkify(text: str) -> Markup:
    """Escape ``text`` and make its URLs clickable."""
    escaped = str(escape(text))
    linked = _URL.sub(lambda match: f'<a href="{match[0]}">{match[0]}</a>', escaped)
    return Markup(linked)  # noqa: S704 - built from escaped text
