"""``.. openapi-reference::`` renders every endpoint of the API from the OpenAPI document
the app itself serves, so the reference cannot drift from the code.

The app is built with its testing settings and asked for ``/api/v1/openapi.json`` through
Flask's test client; nothing connects to MongoDB or Redis to do that.
"""

from __future__ import annotations

import tempfile
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict[str, Any]:
    from app import create_app

    with tempfile.TemporaryDirectory(prefix="encore-docs-") as instance:
        app = create_app(
            {
                "ENCORE_ENV": "testing",
                # Never contacted: building the app and its OpenAPI document needs no server.
                "MONGODB_URI": "mongodb://127.0.0.1:9/encore_docs",
                "REDIS_URL": "redis://127.0.0.1:9/0",
                "SECRET_KEY": "docs",
                "SECURITY_PASSWORD_SALT": "docs",
                "INSTANCE_PATH": instance,
            }
        )
        answer = app.test_client().get("/api/v1/openapi.json")
        if answer.status_code != 200:
            raise RuntimeError(f"/api/v1/openapi.json answered {answer.status_code}")
        return answer.get_json()


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_schema_name(schema.get('items', {}))}"
    return schema.get("type", "object")


def _item(*parts: nodes.Node | str) -> nodes.list_item:
    paragraph = nodes.paragraph()
    for part in parts:
        paragraph += nodes.Text(part) if isinstance(part, str) else part
    return nodes.list_item("", paragraph)


def _field(label: str, items: list[nodes.list_item]) -> list[nodes.Node]:
    if not items:
        return []
    listing = nodes.bullet_list()
    listing.extend(items)
    return [nodes.paragraph("", "", nodes.emphasis(text=label)), listing]


def _response_text(document: dict[str, Any], response: dict[str, Any]) -> str:
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = document.get("components", {}).get("responses", {}).get(name, {})
    return response.get("description", "")


def _operation(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
) -> list[nodes.Node]:
    heading = nodes.rubric()
    heading += nodes.literal(text=f"{method.upper()} {path}")
    body: list[nodes.Node] = [heading]
    for text in (operation.get("summary"), operation.get("description")):
        if text:
            body.append(nodes.paragraph(text=text.strip()))
    parameters = [
        _item(
            nodes.literal(text=parameter["name"]),
            f" ({parameter['in']}, {_schema_name(parameter.get('schema', {}))}"
            f"{', required' if parameter.get('required') else ''})",
            f": {parameter['description']}" if parameter.get("description") else "",
        )
        for parameter in operation.get("parameters", [])
    ]
    body += _field("Parameters", parameters)
    content = operation.get("requestBody", {}).get("content", {})
    body += _field(
        "Request body",
        [
            _item(nodes.literal(text=media_type), f": {_schema_name(media.get('schema', {}))}")
            for media_type, media in content.items()
        ],
    )
    body += _field(
        "Responses",
        [
            _item(nodes.strong(text=code), f" {_response_text(document, response)}")
            for code, response in sorted(operation.get("responses", {}).items())
        ],
    )
    if operation.get("security") == []:
        body.append(nodes.paragraph(text="No authentication needed."))
    return body


class OpenApiReference(SphinxDirective):
    """Every operation, grouped by tag in the document's order."""

    def run(self) -> list[nodes.Node]:
        document = openapi_document()
        by_tag: dict[str, list[nodes.Node]] = {tag["name"]: [] for tag in document["tags"]}
        for path, item in document["paths"].items():
            for method in METHODS:
                if method in item:
                    operation = item[method]
                    tag = (operation.get("tags") or ["Other"])[0]
                    by_tag.setdefault(tag, []).extend(_operation(document, path, method, operation))
        output: list[nodes.Node] = []
        descriptions = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
        for tag, body in by_tag.items():
            if not body:
                continue
            topic = nodes.topic()
            topic += nodes.title(text=descriptions.get(tag) or tag)
            topic.extend(body)
            output.append(topic)
        return output


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("openapi-reference", OpenApiReference)
    return {"parallel_read_safe": True, "version": "1"}
