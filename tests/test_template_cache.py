"""Compiled templates on disk (TEMPLATE_CACHE_DIR): a new process loads what an earlier one
compiled, an edited template is compiled again, and a folder that cannot be used leaves the
shop working without it."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from storefront import create_app
from storefront.template_cache import cache_folder
from tests.conftest import ROOT, base_config

THEMES = ROOT / "themes"


def _shop_files(tmp_path: Path) -> Path:
    """A theme folder with default and a child theme whose page template the test edits."""
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "default").symlink_to(THEMES / "default", target_is_directory=True)
    child = themes / "child" / "templates"
    child.mkdir(parents=True)
    (themes / "child" / "theme.toml").write_text('extends = "default"\n')
    _page_template(tmp_path, "first edition")
    return themes


def _page_template(tmp_path: Path, marker: str) -> None:
    (tmp_path / "themes" / "child" / "templates" / "page.html").write_text(
        '{% extends "default:page.html" %}{% block content %}'
        f'<p id="edition">{marker}</p>{{{{ super() }}}}{{% endblock %}}')


def _app(tmp_path: Path, **config):
    """A fresh app, as a new process (a worker, a command) creates it."""
    instance = tmp_path / "instance"
    settings = {"THEMES_DIR": str(tmp_path / "themes"), "THEME": "child", **config}
    return create_app(base_config(f"sqlite:///{tmp_path / 'unused.sqlite3'}", instance,
                                  **settings), instance_path=str(instance))


def _about(app) -> str:
    """The about page, without the language switcher's CSRF token (each visitor's own)."""
    response = app.test_client().get("/pages/about")
    assert response.status_code == 200
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def _entries(folder: Path) -> dict[str, int]:
    """Cache file -> inode: a rewritten entry (Jinja writes a new file) has a new inode."""
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


def test_a_new_process_loads_the_compiled_templates_and_an_edit_is_compiled_again(tmp_path):
    _shop_files(tmp_path)
    first = _app(tmp_path)
    folder = cache_folder(first.config["TEMPLATE_CACHE_DIR"])
    assert folder.parent == tmp_path / "instance" / "cache" / "templates"  # the default
    page = _about(first)
    assert '<p id="edition">first edition</p>' in page and "About us" in page
    compiled = _entries(folder)
    assert len(compiled) >= 3  # page.html, default:page.html, base.html and what they include
    assert oct(folder.stat().st_mode & 0o777) == "0o700"

    assert _about(_app(tmp_path)) == page
    assert _entries(folder) == compiled  # loaded, not compiled and written again

    _page_template(tmp_path, "second edition")
    edited = _about(_app(tmp_path))
    assert '<p id="edition">second edition</p>' in edited and "first edition" not in edited
    after = _entries(folder)
    assert after.keys() == compiled.keys()
    changed = [name for name in after if after[name] != compiled[name]]
    assert len(changed) == 1  # only the edited template was compiled again


def test_a_cache_folder_that_cannot_be_made_leaves_the_shop_working(tmp_path, caplog):
    _shop_files(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="storefront.template_cache"):
        app = _app(tmp_path, TEMPLATE_CACHE_DIR=str(blocked))
    assert "compiled templates are not kept: cannot create" in caplog.text
    assert app.jinja_env.bytecode_cache is None
    assert "first edition" in _about(app)


def test_a_cache_folder_removed_while_the_shop_runs_is_logged_once(tmp_path, caplog):
    _shop_files(tmp_path)
    app = _app(tmp_path)
    shutil.rmtree(tmp_path / "instance" / "cache")
    with caplog.at_level(logging.WARNING, logger="storefront.template_cache"):
        assert "first edition" in _about(app)
        assert "first edition" in _about(app)
        app.jinja_env.cache.clear()  # compiled again: the write fails again, quietly
        assert "first edition" in _about(app)
    warnings = [r for r in caplog.records if "are not kept: cannot write" in r.getMessage()]
    assert len(warnings) == 1


def test_an_empty_setting_turns_the_cache_off(tmp_path):
    _shop_files(tmp_path)
    app = _app(tmp_path, TEMPLATE_CACHE_DIR="")
    assert "first edition" in _about(app)
    assert app.jinja_env.bytecode_cache is None
    assert not (tmp_path / "instance" / "cache").exists()
