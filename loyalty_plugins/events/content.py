"""Events as Markdown files with front matter in content/events/, parsed and validated."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from markupsafe import Markup

from hooks import FolderCache, InvalidField, read_fields, render_markdown

log = logging.getLogger("storefront.plugins.events")

FOLDER = "events"
CENT = Decimal("0.01")
CATEGORIES = ("corporate", "cultural", "family", "social")
FIELDS = {"title", "start", "end", "timezone", "place", "category", "capacity", "audience",
          "price", "guests", "registration_deadline", "summary", "draft", "invite_segments",
          "cost"}
REQUIRED = ("title", "start", "end", "timezone", "place", "category", "capacity")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
SEGMENT_RE = re.compile(r"^[a-z][a-z ]{0,31}$")


@dataclass(frozen=True)
class EventInfo:
    slug: str
    source: str  # the file, relative to the content folder
    title: str
    starts_at: datetime  # UTC, naive (as stored in the database)
    ends_at: datetime
    timezone: str
    place: str
    category: str
    capacity: int
    audience: str  # public | members | a tier code
    price: int  # minor units; 0 is free
    guests: int  # guests a member may bring
    deadline: datetime  # UTC, naive
    summary: str
    body_html: Markup
    draft: bool = False
    # Invitations go only to members in these segments of the insights plugin (all when empty).
    invite_segments: tuple[str, ...] = ()
    cost: int = 0  # what one seat costs the shop (catering, venue), minor units

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def sku(self) -> str:
        return f"EVENT-{self.slug}".upper()[:64]

    @property
    def restricted(self) -> bool:
        return self.audience != "public"

    def local(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))


def _moment(value: object, field: str, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise InvalidField(field, "must be a date and time like 2026-12-10 19:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _count(meta: dict, field: str, default: int | None, low: int) -> int:
    value = meta.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidField(field, f"must be a whole number of at least {low}")
    return value


def _zone(meta: dict) -> ZoneInfo:
    name = str(meta["timezone"]).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidField("timezone", f"unknown time zone {name!r} (use a name like "
                                  "Europe/Madrid)") from exc


def _amount(meta: dict, field: str, problem: str) -> int:
    """An amount in cents, written like 15.00 (or free: 0)."""
    text = str(meta.get(field, 0)).strip()
    if text.lower() == "free":
        return 0
    try:
        amount = Decimal(text)
        in_cents = amount.is_finite() and amount >= 0 and amount == amount.quantize(CENT)
    except InvalidOperation:  # not a number, or too large to count in cents
        in_cents = False
    if not in_cents:
        raise InvalidField(field, problem)
    return int(amount * 100)


def _price(meta: dict) -> int:
    return _amount(meta, "price", "must be an amount like 15.00, or free")


def _audience(meta: dict) -> str:
    audience = str(meta.get("audience", "members")).strip().lower()
    if not audience.isidentifier() and audience != "public":
        raise InvalidField("audience", "must be public, members or a tier code such as gold")
    return audience


def _invite_segments(meta: dict) -> tuple[str, ...]:
    raw = meta.get("invite_segments") or ()
    names = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(names, list | tuple):
        raise InvalidField("invite_segments", "must be a list of segments, e.g. [at risk, lost]")
    segments = tuple(str(name).strip().lower() for name in names if str(name).strip())
    if not all(SEGMENT_RE.match(name) for name in segments):
        raise InvalidField("invite_segments", "must be names of segments such as at risk")
    return segments


def parse(slug: str, source: str, text: str) -> EventInfo:
    if not SLUG_RE.match(slug):
        raise InvalidField("file name", "use lower-case letters, digits and dashes")
    meta, body = read_fields(text, FIELDS, REQUIRED)
    zone = _zone(meta)
    starts_at = _moment(meta["start"], "start", zone)
    ends_at = _moment(meta["end"], "end", zone)
    if ends_at <= starts_at:
        raise InvalidField("end", "must be after the start")
    deadline = (_moment(meta["registration_deadline"], "registration_deadline", zone)
                if meta.get("registration_deadline") else starts_at)
    if deadline > starts_at:
        raise InvalidField("registration_deadline", "must not be after the start")
    category = str(meta["category"]).strip().lower()
    if category not in CATEGORIES:
        raise InvalidField("category", f"must be one of {', '.join(CATEGORIES)}")
    return EventInfo(
        slug=slug, source=source, title=str(meta["title"]).strip(), starts_at=starts_at,
        ends_at=ends_at, timezone=zone.key, place=str(meta["place"]).strip(), category=category,
        capacity=_count(meta, "capacity", None, 1), audience=_audience(meta), price=_price(meta),
        guests=_count(meta, "guests", 0, 0), deadline=deadline,
        summary=str(meta.get("summary", "")).strip(), body_html=render_markdown(body),
        draft=bool(meta.get("draft", False)), invite_segments=_invite_segments(meta),
        cost=_amount(meta, "cost", "must be an amount like 12.50 (what one seat costs you)"))


def folder(root: str | Path | None = None) -> Path:
    return Path(root or current_app.config["CONTENT_DIR"]) / FOLDER


def check(root: str | Path) -> list[tuple[str, str, str]]:
    """Problems in content/events/ as (file, field, problem), for `storefront content check`."""
    problems = []
    for path in sorted(folder(root).glob("*.md")):
        try:
            parse(path.stem, f"{FOLDER}/{path.name}", path.read_text(encoding="utf-8"))
        except InvalidField as exc:
            problems.append((str(path), exc.field, exc.problem))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append((str(path), "file", f"cannot be read: {exc}"))
    return problems


def _read(where: Path) -> dict[str, EventInfo]:
    events = {}
    for path in sorted(where.glob("*.md")) if where.is_dir() else []:
        try:
            info = parse(path.stem, f"{FOLDER}/{path.name}", path.read_text(encoding="utf-8"))
        except (InvalidField, OSError, UnicodeDecodeError) as exc:
            log.error("events: %s skipped: %s", path, exc)
            continue
        events[info.slug] = info
    return events


_files = FolderCache(_read)


def load_all() -> dict[str, EventInfo]:
    """Every valid event by slug (drafts included); files are re-read only when they change.
    A broken file is logged and left out: it never breaks a page."""
    return _files.get(folder())
