"""Demo accounts: fixed, public passwords, for the demo shop only."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from storefront.accounts.models import Role, User
from storefront.accounts.service import create_user, mark_verified
from storefront.extensions import db

DEMO_ACCOUNTS = (
    (Role.OWNER, "owner@demo.shop", "owner-demo-pass", "Olivia Owner"),
    (Role.STAFF, "staff@demo.shop", "staff-demo-pass", "Sam Staff"),
    (Role.CUSTOMER, "member@demo.shop", "member-demo-pass", "Mia Member"),
)


def enable_builtin_plugins() -> list[str]:
    """Switch on the plugins that ship with Storefront (once: an owner's choice stays)."""
    from storefront.plugins.models import PluginState
    from storefront.plugins.registry import describe
    from storefront.plugins.state import set_enabled

    enabled = []
    for info in describe(current_app.extensions["storefront.plugins"]):
        if info.package == "storefront" and db.session.get(PluginState, info.name) is None:
            set_enabled(info.name, True, actor="demo")
            enabled.append(info.name)
    return enabled


def give_demo_points() -> None:
    from hooks import call, provided

    if not provided("points_grant"):
        return
    member = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[2][1]))
    # Written in the shop's default language, as a reason typed by staff is kept as typed.
    call("points_grant", user_id=member.id, points=500,
         reason=_("demo points to try redemption"), key="demo:member-points", actor="demo")
    db.session.commit()


# A friend of the demo member who joined with her referral code and has not bought yet: the
# member's referral page shows a pending referral.
DEMO_FRIEND = ("friend@demo.shop", "friend-demo-pass", "Felix Friend")


def add_demo_referral() -> None:
    from hooks import call, provided

    if not provided("referrals_refer"):
        return
    email, password, name = DEMO_FRIEND
    friend = db.session.scalar(select(User).where(User.email == email))
    if friend is not None:
        return  # made before, with its referral
    friend = create_user(email, password, name, Role.CUSTOMER)
    mark_verified(friend)
    member = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[2][1]))
    call("referrals_refer", referee_id=friend.id, referrer_id=member.id)
    db.session.commit()


def give_demo_birthday() -> None:
    """The demo member's birthday is today, the shop's date (no year): the worker's first run
    of the birthdays job greets them, and staff see the greeting on their customer page."""
    from hooks import call, provided, today

    if not provided("birthdays_set"):
        return
    member = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[2][1]))
    day = today()
    call("birthdays_set", user_id=member.id, day=day.day, month=day.month, year=None,
         actor="demo")
def open_demo_complaint() -> None:
    """One open complaint of the demo member's, for staff to answer (complaints plugin)."""
    from hooks import call, provided
    from storefront.orders.models import Order

    if not provided("complaints_open"):
        return
    member = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[2][1]))
    order_id = db.session.scalar(select(Order.id).where(Order.user_id == member.id)
                                 .order_by(Order.id.desc()).limit(1))
    # Kept as the member typed it, in English (not translated).
    call("complaints_open", key="demo:complaint", user_id=member.id, category="order",
         order_id=order_id, text="The coffee grinder arrived with a cracked lid. Could you "
                                 "send a new lid?")
    db.session.commit()


def answer_demo_survey() -> str | None:
    """One answered survey (the surveys plugin's, about the demo member's latest order), so
    the owner's survey pages have something to show; what happened, or None while the
    plugin is off."""
    from hooks import call, provided

    if not provided("surveys_sample_answer"):
        return None
    member = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[2][1]))
    added = call("surveys_sample_answer", user_id=member.id, nps=9,
                 reason=_("Great coffee, and the parcel came quickly."))
    db.session.commit()
    return "demo survey: one answered" if added else "demo survey: answered before"


def load_demo_history() -> list[str]:
    """The demo's purchase history (storefront.demo.history), then, if it was written now,
    the insights figures computed from it; what happened, a line each."""
    from storefront.demo import history
    from storefront.timeutil import utcnow

    _role, email, _password, name = DEMO_ACCOUNTS[2]
    written, report = history.load(utcnow().date(), member=(email, name))
    if not written.orders:
        return ["demo history: none, the shop has no products to have sold"]
    if not report.imported:
        return [f"demo history: {report.already} orders, loaded before", *report.problems]
    said = [f"demo history: {report.imported} orders of {written.customers} customers over "
            "the last two years", *report.problems]
    failed = history.refresh_insights()
    return [*said, f"insights figures not computed: {failed}"] if failed else said


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    if current_app.config["ENV_NAME"] == "production":
        raise RuntimeError("demo accounts are never created in production")
    shown = []
    for role, email, password, name in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            mark_verified(create_user(email, password, name, role))  # no "confirm" banner
            db.session.commit()
        shown.append((role.value, email, password))
    return shown
