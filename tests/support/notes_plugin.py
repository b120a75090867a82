"""A small content plugin for the static-build tests: notes from content/notes/*.md, some of
them for members only, listed on the static site through ``shop_static_pages``."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template_string

from hooks import (
    FieldType,
    SettingField,
    StaticPage,
    current_customer,
    hookimpl,
    plugin_settings,
    read_front_matter,
    render_markdown,
)

STATIC = str(Path(__file__).parent / "sample_static")
PAGE = """{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>
<p class="greeting">{{ greeting }}</p>{{ body }}
{% if with_form %}<form method="post" action="/plugins/notes/like">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}"><button>Like</button></form>
{% endif %}{% endblock %}"""


def notes() -> dict[str, dict]:
    folder = Path(current_app.config["CONTENT_DIR"]) / "notes"
    found = {}
    for path in sorted(folder.glob("*.md")):
        meta, body = read_front_matter(path.read_text(encoding="utf-8"))
        found[path.stem] = {"title": meta["title"], "body": body, "source": f"notes/{path.name}",
                            "public": meta.get("audience", "public") == "public"}
    return found


class Notes:
    """Notes, some members-only. ``leaky`` lists members-only notes too (a bug the build
    must catch); ``with_form`` puts a CSRF-protected form on public notes; ``only_in``, a
    process id, kills any other process that renders a page (a build helper that dies)."""

    name = "notes"

    def __init__(self, leaky: bool = False, with_form: bool = False,
                 only_in: int | None = None):
        self.leaky, self.with_form, self.only_in = leaky, with_form, only_in

    @hookimpl
    def shop_template_slot(self, name):
        if name == "head" and self.only_in is not None and os.getpid() != self.only_in:
            os.kill(os.getpid(), signal.SIGKILL)

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("greeting", FieldType.TEXT, default="Hello, reader")]

    @hookimpl
    def shop_register_blueprints(self):
        bp = Blueprint("notes", __name__, static_folder=STATIC, static_url_path="/static")

        @bp.get("/")
        def index():
            links = "".join(f'<li><a href="/plugins/notes/{slug}">{n["title"]}</a></li>'
                            for slug, n in notes().items() if n["public"])
            return render_template_string(PAGE, title="Notes", body=links, greeting="",
                                          with_form=False)

        @bp.get("/<slug>")
        def note(slug: str):
            found = notes().get(slug)
            if found is None:
                abort(404)
            if not found["public"] and not current_customer().is_member:
                abort(403)
            return render_template_string(
                PAGE, title=found["title"], body=render_markdown(found["body"]),
                greeting=plugin_settings("notes")["greeting"], with_form=self.with_form)

        return [bp]

    @hookimpl
    def shop_static_pages(self):
        pages = [StaticPage("/plugins/notes/", sources=("notes/",))]
        pages += [StaticPage(f"/plugins/notes/{slug}", sources=(n["source"],))
                  for slug, n in notes().items() if n["public"] or self.leaky]
        return pages
