"""The community pages, mounted at /community: articles, topics, the feed, discussions and
the staff's moderation page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for

from hooks import gettext as _
from hooks import render_template, session
from loyalty_plugins.community import comments
from loyalty_plugins.community.articles import SLUG_RE, Article, all_articles, find, topics
from loyalty_plugins.community.audience import Reader, anonymous_reader, current_reader
from loyalty_plugins.community.feed import atom
from loyalty_plugins.community.models import DELETED, Comment
from loyalty_plugins.community.settings import settings

STATIC = Path(__file__).parent / "static"


def listed(reader: Reader) -> list[Article]:
    return [a for a in all_articles() if reader.access(a).listed]


def _message(title: str, message: str, status: int, article: Article | None = None):
    return render_template("community/message.html", title=title, message=message,
                           article=article), status


def _refused(exc: comments.Refused, article: Article | None):
    titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Already done"),
              429: _("Slow down")}
    return _message(titles.get(exc.status, _("Not possible")), str(exc), exc.status, article)


def _article_page(article: Article, reader: Reader, status: int = 200, **form):
    access = reader.access(article)
    member = reader.customer
    shown = (comments.for_article(article.slug, member, comments.utcnow())
             if access.readable and member.is_member else [])
    return render_template(
        "community/article.html", article=article, access=access, reader=reader,
        comments=shown, comments_enabled=settings()["comments_enabled"],
        edit_minutes=settings()["edit_minutes"],
        max_length=settings()["max_comment_length"], **form,
    ), status if access.readable else 403


def _comment(comment_id: int) -> tuple[Comment, Article, Reader]:
    """A comment the current member may see, with its article; 404 otherwise."""
    reader = current_reader()
    comment = session().get(Comment, comment_id)
    article = find(comment.article) if comment is not None else None
    if (article is None or comment.status == DELETED or not reader.customer.is_member
            or not reader.access(article).readable):
        abort(404)
    return comment, article, reader


def _back(article: Article, comment_id: int | None = None):
    anchor = f"comment-{comment_id}" if comment_id else "discussion"
    return redirect(url_for("community.article", slug=article.slug, _anchor=anchor), 303)


def _staff() -> Reader:
    reader = current_reader()
    if not reader.is_staff:
        abort(404)
    return reader


def add_reading_routes(bp: Blueprint) -> None:
    @bp.get("/")
    def index():
        reader = current_reader()
        found = listed(reader)
        return render_template("community/index.html", articles=found, topics=topics(found),
                               reader=reader, topic=None)

    @bp.get("/topics/<topic>")
    def topic(topic: str):
        reader = current_reader()
        found = [a for a in listed(reader) if topic in a.topics] if SLUG_RE.match(topic) else []
        if not found:
            abort(404)
        return render_template("community/index.html", articles=found,
                               topics=topics(listed(reader)), reader=reader, topic=topic)

    @bp.get("/feed.atom")
    def feed():
        guest = anonymous_reader()
        public = [a for a in all_articles() if a.is_public
                  and guest.access(a).readable][:settings()["feed_entries"]]
        base = current_app.config.get("BASE_URL") or request.host_url
        title = _("%(shop)s: community", shop=current_app.config.get("SHOP_NAME", "Storefront"))
        return Response(atom(public, base, title), mimetype="application/atom+xml")

    @bp.get("/<slug>")
    def article(slug: str):
        reader = current_reader()
        return _article_page(_listed_or_404(slug, reader), reader)


def _listed_or_404(slug: str, reader):
    """The article, if this reader may at least see that it exists."""
    found = find(slug)
    if found is None or not reader.access(found).listed:
        abort(404)
    return found


def add_discussion_routes(bp: Blueprint) -> None:
    @bp.post("/<slug>/comments")
    def post_comment(slug: str):
        reader = current_reader()
        found = _listed_or_404(slug, reader)
        if not reader.customer.is_member:
            return _message(_("Log in to comment"), _("Log in or join the club to take part "
                                                      "in the discussion."), 403, found)
        if not reader.access(found).readable or not settings()["comments_enabled"]:
            return _message(_("Not allowed"), _("You cannot comment on this article."), 403,
                            found)
        body = request.form.get("body", "")
        try:
            comment = comments.post(found.slug, reader.customer, body, comments.utcnow())
        except comments.Refused as exc:
            session().rollback()
            return _article_page(found, current_reader(), exc.status, form_error=str(exc),
                                 draft=body)
        session().commit()
        flash(_("Your comment is posted."), "success")
        return _back(found, comment.id)

    @bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
    def edit_comment(comment_id: int):
        comment, found, reader = _comment(comment_id)
        now = comments.utcnow()
        body = request.form.get("body", comment.body)
        try:
            if request.method == "POST":
                comments.edit(comment, reader.customer, body, now)
                session().commit()
                flash(_("Your comment is updated."), "success")
                return _back(found, comment.id)
            comments.ensure_own(comment, reader.customer, now, "edit")
        except comments.Refused as exc:
            session().rollback()
            if exc.status == 400:  # empty or too long: show the form again
                return render_template("community/edit.html", comment=comment, article=found,
                                       draft=body, form_error=str(exc)), 400
            return _refused(exc, found)
        return render_template("community/edit.html", comment=comment, article=found,
                               draft=body, form_error="")

    @bp.post("/comments/<int:comment_id>/delete")
    def delete_comment(comment_id: int):
        comment, found, reader = _comment(comment_id)
        try:
            comments.delete_own(comment, reader.customer, comments.utcnow())
        except comments.Refused as exc:
            return _refused(exc, found)
        session().commit()
        flash(_("Your comment is deleted."), "success")
        return _back(found)

    @bp.post("/comments/<int:comment_id>/report")
    def report_comment(comment_id: int):
        comment, found, reader = _comment(comment_id)
        try:
            comments.report(comment, reader.customer, request.form.get("reason", ""),
                            comments.utcnow())
        except comments.Refused as exc:
            session().rollback()
            return _refused(exc, found)
        session().commit()
        flash(_("Thank you. Our staff will look at this comment."), "success")
        return _back(found, comment.id)


def add_moderation_routes(bp: Blueprint) -> None:
    @bp.get("/moderation")
    def moderation():
        _staff()
        by_slug = {a.slug: a for a in all_articles()}
        return render_template("community/moderation.html", flagged=comments.flagged(),
                               articles=by_slug)

    @bp.post("/moderation/<int:comment_id>/<any(hide, unhide, delete, dismiss):action>")
    def moderate(comment_id: int, action: str):
        reader = _staff()
        comment = session().get(Comment, comment_id)
        if comment is None:
            abort(404)
        try:
            comments.moderate(comment, action, reader.customer, comments.utcnow())
        except comments.Refused as exc:
            return _refused(exc, find(comment.article))
        session().commit()
        done = {"hide": _("Comment %(id)s hidden.", id=comment.id),
                "unhide": _("Comment %(id)s shown again.", id=comment.id),
                "delete": _("Comment %(id)s deleted.", id=comment.id),
                "dismiss": _("Comment %(id)s cleared of its reports.", id=comment.id)}[action]
        flash(done, "success")
        target = request.form.get("back", "")
        if target == "article" and find(comment.article) is not None:
            return _back(find(comment.article), comment.id)
        return redirect(url_for("community.moderation"), 303)


def blueprint() -> Blueprint:
    bp = Blueprint("community", __name__, url_prefix="/community",
                   static_folder=str(STATIC), static_url_path="/static")
    add_reading_routes(bp)
    add_discussion_routes(bp)
    add_moderation_routes(bp)
    return bp
