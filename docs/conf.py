"""Sphinx configuration for Encore's documentation."""

project = "Encore"
author = "The Encore team"
copyright = "2026, the Encore team"
release = "0.1.0"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
html_theme = "furo"
html_title = "Encore"
exclude_patterns = ["_build"]
nitpicky = False
