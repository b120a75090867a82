"""Session cookies and CSRF tokens signed as Flask and Flask-WTF do, minus set-up work
repeated on every request.

Flask builds a new ``URLSafeTimedSerializer`` to open and to save each session, Flask-WTF
one for each CSRF token, and itsdangerous derives the signing key again (two HMACs) for
every signature. The results depend only on the secret keys and the salt, so the shop keeps
the serializers per set of keys and the derived keys per (key, salt, method).

- Session cookies are byte for byte Flask's: same serializer, salt, key derivation and
  digest (SHA-1; given as ``hashlib.sha1`` rather than Flask's lazy wrapper of it, so
  that ``hmac`` takes OpenSSL's fast path; same bytes).
- CSRF tokens are Flask-WTF's (same raw token in the session, salt, signer, time limit)
  except that the payload is never zlib-compressed: Flask-WTF tries to compress the 42
  bytes of a quoted random hex token on every page, which never pays, and loads either
  form, so it validates every token as before.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.serializer import Serializer

_DERIVED: dict[tuple, bytes] = {}
_MAX_KEYS = 64  # secret keys x salts: a handful; bounded in case a caller varies them
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's


class KeyCachingSigner(TimestampSigner):
    """``TimestampSigner`` that derives each key once per process instead of per signature."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = _DERIVED.get(key)
        if derived is None:
            derived = super().derive_key(secret)
            if len(_DERIVED) >= _MAX_KEYS:
                _DERIVED.clear()
            _DERIVED[key] = derived
        return derived


class KeptSignerSerializer(URLSafeTimedSerializer):
    """``URLSafeTimedSerializer`` that builds its signer for its own salt once: a signer
    holds only the keys and settings (no per-use state), so one serves every thread."""

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        signer = self.__dict__.get("_kept_signer")
        if signer is None:
            signer = self.__dict__["_kept_signer"] = super().make_signer()
        return signer


class CsrfSerializer(KeptSignerSerializer):
    """Flask-WTF's token serializer without the compression attempt (see the module)."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, with the serializer kept until the keys change."""

    digest_method = staticmethod(hashlib.sha1)  # Flask's _lazy_sha1 is this, looked up late

    def __init__(self) -> None:
        self._cached: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # itsdangerous expects the current key last (Flask's order).
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        cached_keys, serializer = self._cached
        if serializer is None or cached_keys != keys:
            serializer = KeptSignerSerializer(
                list(keys), salt=self.salt, serializer=self.serializer,
                signer=KeyCachingSigner,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method})
            self._cached = (keys, serializer)  # one assignment: safe for threads
        return serializer


_csrf_serializers: dict[Any, CsrfSerializer] = {}


def _csrf_serializer(secret_key: Any) -> CsrfSerializer:
    serializer = _csrf_serializers.get(secret_key)
    if serializer is None:
        serializer = CsrfSerializer(secret_key, salt=CSRF_SALT, signer=KeyCachingSigner)
        if len(_csrf_serializers) >= _MAX_KEYS:
            _csrf_serializers.clear()
        _csrf_serializers[secret_key] = serializer
    return serializer


def _new_raw_token() -> str:
    return secrets.token_hex(20)  # 40 hex digits, as Flask-WTF's sha1(urandom(64)) gives


def csrf_token() -> str:
    """``flask_wtf.csrf.generate_csrf()`` (the template global ``csrf_token()``): same raw
    token in the session, same signed token cached on ``g`` for the request (forms built
    with Flask-WTF share it), with the serializer kept per secret key."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret_key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if field is None or secret_key is None:
        raise RuntimeError("CSRF is not configured.")
    if field not in g:
        if field not in session:
            session[field] = _new_raw_token()
        try:
            token = _csrf_serializer(secret_key).dumps(session[field])
        except TypeError:
            session[field] = _new_raw_token()
            token = _csrf_serializer(secret_key).dumps(session[field])
        setattr(g, field, token)
    return g.get(field)


def init_app(app: Flask) -> None:
    """After ``CSRFProtect.init_app``: templates get ``csrf_token`` from here, both as a
    global and from the context processor Flask-WTF added (replaced in place)."""
    app.session_interface = SessionInterface()
    app.jinja_env.globals["csrf_token"] = csrf_token
    meta_tag = app.jinja_env.globals.get("csrf_meta_tag")
    processors = app.template_context_processors[None]
    for index, processor in enumerate(processors):
        if getattr(processor, "__module__", "") == "flask_wtf.csrf":
            processors[index] = lambda: {"csrf_token": csrf_token, "csrf_meta_tag": meta_tag}
