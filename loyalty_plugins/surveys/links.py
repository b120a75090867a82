"""The survey link: a signed survey id, so it opens without logging in, names exactly one
survey (not another order's), and cannot be made up. Whether it still works (not answered,
not expired) is the survey row's to say."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

PATH = "/plugins/surveys/s/"
SALT = "surveys.invitation"  # a signature of this plugin's only: no other token passes


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def token(survey_id: int) -> str:
    return _signer().dumps(survey_id)


def survey_id(signed: str) -> int | None:
    """The survey a token was made for, or None when it was not made by this shop."""
    if not signed or len(signed) > 200:
        return None
    try:
        found = _signer().loads(signed)
    except BadSignature:
        return None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def address(survey_id: int) -> str:
    """The link as a member opens it from a message, on the shop's address (``BASE_URL``;
    the worker that sends invitations has no request to take it from)."""
    return f"{current_app.config.get('BASE_URL', '').rstrip('/')}{PATH}{token(survey_id)}"
