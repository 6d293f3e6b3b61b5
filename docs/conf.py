"""Sphinx configuration for Encore's documentation."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
os.environ.setdefault("ENCORE_ENV", "testing")  # importing the app reads no .env

project = "Encore"
author = "The Encore team"
copyright = "2026, the Encore team"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "openapi_reference",
    "settings_reference",
]
html_theme = "furo"
html_title = "Encore"
exclude_patterns = ["_build"]
nitpicky = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
