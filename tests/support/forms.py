"""Submit forms the way a browser does: fetch the page, take its CSRF token, post."""

from __future__ import annotations

import re

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT_RE = re.compile(r'<input[^>]*name="(checkout_token|expected_total)"[^>]*value="([^"]*)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def hidden_fields(html: str) -> dict[str, str]:
    fields = {name: value for name, value in INPUT_RE.findall(html)}
    fields["csrf_token"] = csrf_token(html)
    return fields


def post_form(client, page_url: str, action_url: str, data: dict, **kwargs):
    page = client.get(page_url)
    payload = {"csrf_token": csrf_token(page.get_data(as_text=True)), **data}
    return client.post(action_url, data=payload, **kwargs)
