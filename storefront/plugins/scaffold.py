"""`storefront plugins new NAME`: an installable plugin package that passes its own tests.

The files are made from ``scaffold_template/*.tmpl`` with :class:`string.Template`
(``$name``, ``$dash``, ``$module``, ``$title``, ``$contract``), which leaves the braces of
Python and Jinja alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from storefront.i18n.catalogs import compile_catalog, package_source
from storefront.plugins.contract import RANGE_FOR_NEW_PLUGINS

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
TEMPLATES = Path(__file__).parent / "scaffold_template"

# Where each generated file goes (a Template too) -> the template it is made from.
FILES = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "$module/__init__.py": "__init__.py.tmpl",
    "$module/plugin.py": "plugin.py.tmpl",
    "$module/models.py": "models.py.tmpl",
    "$module/views.py": "views.py.tmpl",
    "$module/migrations/${name}_0001_notes.py": "migration.py.tmpl",
    "$module/templates/$name/panel.html": "panel.html.tmpl",
    "$module/translations/es/LC_MESSAGES/messages.po": "messages.po.tmpl",
    "tests/test_plugin.py": "test_plugin.py.tmpl",
}


class ScaffoldError(ValueError):
    pass


def scaffold(name: str, folder: Path) -> Path:
    if not NAME_RE.match(name):
        raise ScaffoldError(f"{name!r}: use 2-41 lowercase letters, digits and underscores, "
                            "starting with a letter")
    dash = name.replace("_", "-")
    root = folder / f"storefront-{dash}"
    if root.exists():
        raise ScaffoldError(f"{root} already exists")
    values = {"name": name, "dash": dash, "module": f"storefront_{name}",
              "title": name.replace("_", " ").title(), "contract": RANGE_FOR_NEW_PLUGINS}
    for target, source in FILES.items():
        path = root / Template(target).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template((TEMPLATES / source).read_text()).substitute(values))
    compile_catalog(package_source(root / values["module"]), "es")
    return root
