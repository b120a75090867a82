"""Discussions under articles: posting (rate-limited in the database), editing and deleting
within a time window, abuse reports (one per member and comment) and moderation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import func, select, update

from hooks import CustomerView, get_customer, insert_once, ngettext, render_markdown, session
from hooks import gettext as _
from loyalty_plugins.community.models import DELETED, HIDDEN, VISIBLE, Comment, Poster, Report
from loyalty_plugins.community.settings import settings

# What a comment may contain once its Markdown is rendered: no images (tracking), no
# headings (the page's outline is the article's), links only to the web or mail.
TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Refused(Exception):  # noqa: N818 - reads as what happened to the request
    """The member's request cannot be done; ``str()`` says why, for the page."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def render(body: str) -> Markup:
    """A comment's Markdown as HTML that keeps only the allow-listed tags and attributes."""
    import nh3  # on the first comment shown, not at start-up

    html = nh3.clean(str(render_markdown(body)), tags=TAGS, attributes=ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    return Markup(html)  # noqa: S704 - sanitised by nh3 with an allow-list


def display_name(user_id: int) -> str:
    """The name shown beside a comment: never an email address."""
    member = get_customer(user_id)
    name = (member.name or "").strip() if member else ""
    return name if name and "@" not in name else _("A member")


@dataclass(frozen=True)
class Shown:
    comment: Comment
    author: str
    html: Markup
    mine: bool
    editable: bool
    reported: bool


def _window() -> timedelta:
    return timedelta(minutes=settings()["edit_minutes"])


def editable(comment: Comment, viewer: CustomerView, now: datetime) -> bool:
    return (comment.user_id == viewer.id and comment.status == VISIBLE
            and now - comment.created_at <= _window())


def for_article(slug: str, viewer: CustomerView, now: datetime) -> list[Shown]:
    """The comments ``viewer`` sees under an article, oldest first; staff also see hidden
    ones. Deleted comments are gone for everyone."""
    statuses = (VISIBLE, HIDDEN) if viewer.has_role("staff") else (VISIBLE,)
    rows = session().scalars(select(Comment).where(Comment.article == slug,
                                                   Comment.status.in_(statuses))
                             .order_by(Comment.created_at, Comment.id)).all()
    reported = set(session().scalars(select(Report.comment_id).where(
        Report.user_id == viewer.id, Report.comment_id.in_([c.id for c in rows])))) \
        if rows and viewer.is_member else set()
    names: dict[int, str] = {}
    return [Shown(c, names.setdefault(c.user_id, display_name(c.user_id)), render(c.body),
                  c.user_id == viewer.id, editable(c, viewer, now), c.id in reported)
            for c in rows]


def _clean_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    longest = settings()["max_comment_length"]
    if not text:
        raise Refused(_("Write something before posting."))
    if len(text) > longest:
        raise Refused(_("A comment may be at most %(longest)s characters long; yours has "
                        "%(length)s.", longest=longest, length=len(text)))
    return text


def _lock_poster(user_id: int, now: datetime) -> None:
    """Take the member's poster row for this transaction (the UPDATE holds it until the
    commit): concurrent posts of one member are counted one after the other."""
    insert_once(Poster, ["user_id"], user_id=user_id, last_posted_at=now)
    session().execute(update(Poster).where(Poster.user_id == user_id)
                      .values(last_posted_at=now))


def post(slug: str, author: CustomerView, body: str, now: datetime) -> Comment:
    """Add a comment, unless the member reached the rate limit. Flushes; the caller commits."""
    text = _clean_body(body)
    config = settings()
    _lock_poster(author.id, now)
    since = now - timedelta(minutes=config["rate_limit_minutes"])
    recent = session().scalars(select(Comment.created_at).where(
        Comment.user_id == author.id, Comment.created_at > since)
        .order_by(Comment.created_at)).all()
    if len(recent) >= config["rate_limit_count"]:
        wait = max(1, int((recent[0] - since).total_seconds() // 60) + 1)
        period = ngettext("in the last minute", "in the last %(num)s minutes",
                          config["rate_limit_minutes"])
        posted = ngettext("You have posted %(num)s comment %(period)s, the most we allow.",
                          "You have posted %(num)s comments %(period)s, the most we allow.",
                          len(recent), period=period)
        again = ngettext("Please try again in %(num)s minute.",
                         "Please try again in %(num)s minutes.", wait)
        raise Refused(f"{posted} {again}", 429)
    comment = Comment(article=slug, user_id=author.id, body=text, status=VISIBLE,
                      created_at=now)
    session().add(comment)
    session().flush()
    return comment


def _not_own(what: str) -> str:
    if what == "edit":
        return _("You can only edit your own comments.")
    return _("You can only delete your own comments.")


def _hidden(what: str) -> str:
    if what == "edit":
        return _("A moderator hid this comment; it can no longer be edited.")
    return _("A moderator hid this comment; it can no longer be deleted.")


def _too_late(what: str) -> str:
    minutes = settings()["edit_minutes"]
    if what == "edit":
        return ngettext("A comment can be edited only in the first %(num)s minute after it "
                        "was posted.", "A comment can be edited only in the first %(num)s "
                        "minutes after it was posted.", minutes)
    return ngettext("A comment can be deleted only in the first %(num)s minute after it was "
                    "posted.", "A comment can be deleted only in the first %(num)s minutes "
                    "after it was posted.", minutes)


def ensure_own(comment: Comment, viewer: CustomerView, now: datetime, what: str) -> None:
    """``what``: "edit" or "delete"."""
    if comment.user_id != viewer.id:
        raise Refused(_not_own(what), 403)
    if comment.status != VISIBLE:
        raise Refused(_hidden(what), 403)
    if not editable(comment, viewer, now):
        raise Refused(_too_late(what), 403)


def edit(comment: Comment, viewer: CustomerView, body: str, now: datetime) -> None:
    ensure_own(comment, viewer, now, "edit")
    comment.body = _clean_body(body)
    comment.edited_at = now


def delete_own(comment: Comment, viewer: CustomerView, now: datetime) -> None:
    ensure_own(comment, viewer, now, "delete")
    comment.status, comment.body = DELETED, ""


def report(comment: Comment, viewer: CustomerView, reason: str, now: datetime) -> None:
    if comment.user_id == viewer.id:
        raise Refused(_("You cannot report your own comment."), 403)
    if comment.status != VISIBLE:
        raise Refused(_("This comment is no longer shown."), 404)
    added = insert_once(Report, ["comment_id", "user_id"], comment_id=comment.id,
                        user_id=viewer.id, reason=(reason or "").strip()[:500], created_at=now)
    if not added:
        raise Refused(_("You already reported this comment; our staff will look at it."), 409)


# Moderation ---------------------------------------------------------------------------------

MODERATION = {"hide": HIDDEN, "unhide": VISIBLE, "delete": DELETED}


def moderate(comment: Comment, action: str, staff: CustomerView, now: datetime) -> None:
    """Hide, unhide or delete a comment, or dismiss its reports; its open reports are
    resolved by any of these."""
    if action != "dismiss":
        if comment.status == DELETED:
            raise Refused(_("This comment was already deleted."), 409)
        comment.status = MODERATION[action]
        if action == "delete":
            comment.body = ""
        comment.moderated_by, comment.moderated_at = staff.name or f"staff #{staff.id}", now
    session().execute(update(Report).where(Report.comment_id == comment.id,
                                           Report.resolved_at.is_(None))
                      .values(resolved_at=now))


@dataclass(frozen=True)
class Flagged:
    comment: Comment
    author: str
    html: Markup
    reports: int
    reasons: tuple[str, ...]


def flagged(limit: int = 200) -> list[Flagged]:
    """Comments with open reports (most reported first), then hidden ones."""
    open_reports = (select(Report.comment_id, func.count(Report.id).label("n"))
                    .where(Report.resolved_at.is_(None)).group_by(Report.comment_id)
                    .subquery())
    rows = session().execute(
        select(Comment, func.coalesce(open_reports.c.n, 0))
        .outerjoin(open_reports, open_reports.c.comment_id == Comment.id)
        .where((open_reports.c.n > 0) | (Comment.status == HIDDEN))
        .where(Comment.status != DELETED)
        .order_by(func.coalesce(open_reports.c.n, 0).desc(), Comment.created_at.desc())
        .limit(limit)).all()
    reasons: dict[int, list[str]] = {}
    ids = [c.id for c, _count in rows]
    for comment_id, reason in session().execute(
            select(Report.comment_id, Report.reason).where(
                Report.comment_id.in_(ids), Report.resolved_at.is_(None), Report.reason != "")
            .order_by(Report.id)) if ids else []:
        reasons.setdefault(comment_id, []).append(reason)
    return [Flagged(c, display_name(c.user_id), render(c.body), n,
                    tuple(reasons.get(c.id, ()))) for c, n in rows]
