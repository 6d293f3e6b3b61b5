"""The settings reference, rendered from the tables in ``app/config.py`` so the documentation
cannot drift from the code.

``.. settings-table::``
   Every environment variable: name, type, default (per environment where it differs) and
   description, from :data:`app.config.SETTINGS`.
``.. fixed-settings-table::``
   The framework settings the app fixes, from :data:`app.config.FIXED_SETTINGS` and
   :data:`app.config.FIXED_BY_ENVIRONMENT`.
``:setting-default:`NAME```
   A variable's default, spelled as it is set, for prose on other pages.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from app.config import (
    ENVIRONMENTS,
    FIXED_BY_ENVIRONMENT,
    FIXED_SETTINGS,
    SETTINGS,
    Setting,
    environment_text,
)


def _value(value: Any) -> nodes.Node:
    text = environment_text(value)
    return nodes.literal(text=text) if text else nodes.emphasis(text="unset")


def default_cell(setting: Setting) -> list[nodes.Node]:
    """The default, then each environment whose default differs."""
    parts: list[nodes.Node] = [_value(setting.default)]
    for environment in ENVIRONMENTS:
        if environment in setting.env_defaults:
            parts += [nodes.Text(f"; {environment}: "), _value(setting.env_defaults[environment])]
    return parts


def fixed_cell(name: str) -> list[nodes.Node]:
    parts: list[nodes.Node] = [nodes.literal(text=repr(FIXED_SETTINGS[name]))]
    for environment, values in FIXED_BY_ENVIRONMENT.items():
        if name in values:
            parts += [nodes.Text(f"; {environment}: "), nodes.literal(text=repr(values[name]))]
    return parts


def _row(cells: list[list[nodes.Node]]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        row += nodes.entry("", nodes.paragraph("", "", *cell))
    return row


def _table(headers: list[str], widths: list[int], rows: list[list[list[nodes.Node]]]):
    group = nodes.tgroup(cols=len(headers))
    for width in widths:
        group += nodes.colspec(colwidth=width)
    group += nodes.thead("", _row([[nodes.Text(header)] for header in headers]))
    group += nodes.tbody("", *(_row(cells) for cells in rows))
    return nodes.table("", group)


class SettingsTable(SphinxDirective):
    """Every environment variable, in the table's order."""

    def run(self) -> list[nodes.Node]:
        rows = [
            [
                [nodes.literal(text=setting.name)],
                [nodes.Text(setting.type_name)],
                default_cell(setting),
                [nodes.Text(setting.doc)],
            ]
            for setting in SETTINGS
        ]
        return [_table(["Variable", "Type", "Default", "Description"], [3, 2, 3, 8], rows)]


class FixedSettingsTable(SphinxDirective):
    """The framework settings the app fixes, and where an environment changes one."""

    def run(self) -> list[nodes.Node]:
        rows = [[[nodes.literal(text=name)], fixed_cell(name)] for name in FIXED_SETTINGS]
        return [_table(["Setting", "Value"], [2, 3], rows)]


def setting_default_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    settings = {setting.name: setting for setting in SETTINGS}
    if text not in settings:
        message = inliner.reporter.error(f"{text} is not in app.config.SETTINGS", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(environment_text(settings[text].default))], []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("settings-table", SettingsTable)
    app.add_directive("fixed-settings-table", FixedSettingsTable)
    app.add_role("setting-default", setting_default_role)
    return {"parallel_read_safe": True, "version": "1"}
