"""Community: articles from content/community/ for everyone, for members or for a tier and
above, an Atom feed of the public ones, and members' discussions with moderation."""

from __future__ import annotations

from pathlib import Path

from hooks import NavLink, StaticPage, hookimpl, lazy_gettext
from hooks import gettext as _
from loyalty_plugins.community import articles, figures
from loyalty_plugins.community.audience import anonymous_reader, tier_ladder
from loyalty_plugins.community.settings import SCHEMA
from loyalty_plugins.community.views import blueprint, listed

storefront_contract = ">=2.3,<3"
storefront_description = lazy_gettext(
    "Community: articles from content/community/ for everyone, for members or for a tier and "
    "above, an Atom feed of the public ones, and members' discussions with moderation.")


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.community import published

    return [published]


@hookimpl
def community_figures(start, end):
    return figures.figures(start, end)


@hookimpl
def shop_settings_schema():
    return SCHEMA


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


@hookimpl
def shop_content_check(root):
    ladder = tier_ladder()
    return articles.check(root, tuple(ladder) if ladder is not None else None)


@hookimpl
def shop_static_pages():
    """Only what a guest may read: the list, the topics, public articles, the feed."""
    guest = anonymous_reader()
    shown = listed(guest)
    folder = f"{articles.FOLDER}/"
    pages = [StaticPage("/community/", (folder,))]
    pages += [StaticPage(f"/community/topics/{topic}", (folder,))
              for topic in articles.topics(shown)]
    pages += [StaticPage(f"/community/{a.slug}", (a.source,))
              for a in shown if a.is_public and guest.access(a).readable]
    pages.append(StaticPage("/community/feed.atom", (folder,), in_sitemap=False))
    return pages


@hookimpl
def shop_nav_links(customer):
    links = [NavLink(label=_("Community"), url="/community/", order=40)]
    if customer.has_role("staff"):
        links.append(NavLink(label=_("Moderation"), url="/community/moderation", order=91))
    return links



@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
