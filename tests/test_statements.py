"""The statements plugin: a monthly account statement per member, made from the points,
tiers and events plugins' published hooks, sent once per member and month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select, update

from hooks import call
from loyalty_plugins.statements import service, settings
from loyalty_plugins.statements.models import StatementSent
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.jobs import run_due
from storefront.notifications.models import Notification
from storefront.orders.service import mark_paid
from storefront.plugins.state import save_settings, set_enabled
from tests.events_support import LADDER, event_file
from tests.points_support import PASSWORD, last_order_id, loyalty_app, member, redeem
from tests.test_message_kinds import preferences

PLUGINS = ("points", "tiers", "events", "statements")
POINTS = {"min_redeem": "10", "pending_days": "14", "expiry_months": "1"}


def at(text: str):
    """The shop's clock (UTC here) at ``text``, moving on from there."""
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=UTC), tick=True)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    (folder / "events").mkdir(parents=True)
    return folder


@pytest.fixture
def app(make_app, content):
    return loyalty_app(make_app, plugins=PLUGINS,
                       settings={"tiers": {"ladder": LADDER}, "points": POINTS},
                       CONTENT_DIR=str(content))


def statements(app, user_id=None):
    with app.app_context():
        query = select(Notification).where(Notification.plugin == "statements")
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        rows = db.session.scalars(query.order_by(Notification.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def run_job(app):
    with app.app_context():
        [run] = run_due(force=True, only="statements:send")
        assert run.ok, run.error


def grant(app, user_id, points, key):
    with app.app_context():
        assert call("points_grant", user_id=user_id, points=points, reason="test", key=key,
                    actor="test")
        db.session.commit()


def run_points_jobs(app):
    with app.app_context():
        for key in ("points:mature", "points:expire"):
            [run] = run_due(force=True, only=key)
            assert run.ok, run.error


def history(app, shop):
    """Mia's February and March 2027, by hand: 50 points in February (they expire on 20
    March), 100 points on 10 March (they expire on 10 April), an order of 78.00 on 10 March
    paid partly with 30 points (taken from February's, which expire first) that earns 77
    points (usable from 24 March, until 24 April) and makes her Silver; on 25 March the 20
    points left of February's expire."""
    with at("2027-02-20 12:00"):
        client, uid = member(app, shop)
        grant(app, uid, 50, "test:february")
    with at("2027-03-10 12:00"):
        shop.login(client, "mia@example.com", PASSWORD)
        grant(app, uid, 100, "test:march")
        shop.add(client, "EQP-KTL-01", 2)
        redeem(client, 30)
        shop.checkout(client)
        with app.app_context():
            mark_paid(last_order_id(app))
    with at("2027-03-25 12:00"):
        run_points_jobs(app)
    return client, uid


def test_the_statement_says_what_the_month_was(app, shop, content):
    client, uid = history(app, shop)
    with at("2027-04-02 09:00"):
        event_file(content, "silver-tasting", audience="silver", days=10,
                   title="Silver tasting")
        event_file(content, "gold-evening", audience="gold", days=12, title="Gold evening")
        event_file(content, "far-cupping", audience="members", days=45, title="Far cupping")
        with app.app_context():
            found = service.gather(uid, datetime(2027, 3, 1).date(), settings.current())
        assert found.points == {"earned": 177, "spent": 30, "expired": 20, "balance": 177,
                                "pending": 0,
                                "expiring": [(100, datetime(2027, 4, 10).date()),
                                             (77, datetime(2027, 4, 24).date())]}
        assert found.tier["tier"].code == "silver" and found.tier["next"].code == "gold"
        assert found.tier["left"] == 10000 - found.tier["spend"] > 0
        assert [event["title"] for event in found.events] == ["Silver tasting"]
        run_job(app)
    [message] = statements(app, uid)
    assert message.kind == "statements.statement" and message.status in ("pending", "sent")
    assert message.subject == "Your statement for March 2027"
    body = message.body
    for line in ("Hello Mia,", "here is your account statement for March 2027.",
                 "- Earned: 177", "- Spent: 30", "- Expired: 20", "Usable now: 177 points.",
                 "100 points expire on April 10, 2027: use them before then.",
                 "77 points expire on April 24, 2027", "Your level: Silver.",
                 "€22.30 more to reach Gold.", "Silver tasting:", "http://localhost/events/"
                 "silver-tasting", "http://localhost/account/preferences"):
        assert line in body, (line, body)
    assert "Gold evening" not in body and "Far cupping" not in body
    with at("2027-04-02 10:00"):
        shop.login(client, "mia@example.com", PASSWORD)
        page = client.get("/account").get_data(as_text=True)
    assert "Your last statement" in page
    assert "Your statement for March 2027 was sent on April 2, 2027." in page


def test_once_per_member_and_month_across_runs_and_months(app, shop):
    _, uid = history(app, shop)
    with app.app_context():
        save_settings("statements", {"day": "3"}, actor="test")
    with at("2027-04-02 23:00"):  # before the day of the month: nothing yet
        run_job(app)
        assert statements(app, uid) == []
    with at("2027-04-03 08:00"):
        run_job(app)
        run_job(app)  # the hourly job again, the same day
    with at("2027-04-20 08:00"):
        run_job(app)
    assert [m.subject for m in statements(app, uid)] == ["Your statement for March 2027"]
    with at("2027-05-03 00:30"):
        run_job(app)
        run_job(app)
    assert [m.subject for m in statements(app, uid)] == ["Your statement for March 2027",
                                                         "Your statement for April 2027"]


def test_the_month_ends_at_midnight_in_the_shops_time_zone(make_app, shop, content):
    app = loyalty_app(make_app, plugins=PLUGINS, settings={"points": POINTS},
                      CONTENT_DIR=str(content), SHOP_TIMEZONE="Europe/Madrid")
    with at("2027-02-10 12:00"):
        _, uid = member(app, shop)
        grant(app, uid, 10, "test:february")
    with at("2027-03-01 08:00"):
        run_job(app)  # February's
    with at("2027-03-15 12:00"):
        run_points_jobs(app)  # February's 10 points expired on 10 March
        grant(app, uid, 40, "test:march")
    with at("2027-03-31 21:30"):  # 23:30 on 31 March in Madrid: March has not ended
        run_job(app)
    assert [m.subject for m in statements(app, uid)] == ["Your statement for February 2027"]
    with at("2027-03-31 22:30"):  # 00:30 on 1 April in Madrid
        grant(app, uid, 5, "test:april")  # April's, in Madrid: not in March's statement
        run_job(app)
    february, march = statements(app, uid)
    assert march.subject == "Your statement for March 2027"
    for line in ("- Earned: 40", "- Expired: 10", "Usable now: 45 points."):
        assert line in march.body, march.body


def test_a_member_who_joined_after_the_month_gets_no_statement_for_it(app, shop):
    _, mia = history(app, shop)
    with at("2027-04-03 10:00"):
        _, late = member(app, shop, email="late@example.com", name="Late")
        grant(app, late, 100, "test:late")  # something to report, but for April
        run_job(app)
    assert len(statements(app, mia)) == 1 and statements(app, late) == []
    with at("2027-05-01 06:00"):
        run_job(app)
    [april] = statements(app, late)
    assert april.subject == "Your statement for April 2027"


def test_who_gets_one(app, shop):
    """Customers with something to report; not staff; not a member who stopped statements
    (kept, marked not sent); an empty statement only when the owner asks for them."""
    _, mia = history(app, shop)
    with at("2027-03-20 10:00"):
        quiet_client, quiet = member(app, shop, email="quiet@example.com", name="Quiet")
        grant(app, quiet, 10, "test:quiet")
        preferences(quiet_client, **{"Send me news, offers and invitations": True,
                                     "Monthly account statement": False})
        _, idle = member(app, shop, email="idle@example.com", name="Idle")
        clerk = shop.create_user("clerk@example.com", role="staff")
        grant(app, clerk, 10, "test:clerk")
    with at("2027-04-01 06:00"):
        run_job(app)
    assert statements(app, mia)[0].status in ("pending", "sent")
    [stopped] = statements(app, quiet)
    assert stopped.status == "suppressed"
    assert not any("quiet@example.com" in mail and "Your statement" in mail
                   for mail in shop.mails())
    assert any("mia@example.com" in mail and "Your statement" in mail for mail in shop.mails())
    assert statements(app, idle) == [] and statements(app, clerk) == []
    with app.app_context():
        outcomes = dict(db.session.execute(select(StatementSent.user_id,
                                                  StatementSent.outcome)).all())
    assert outcomes == {mia: "sent", quiet: "sent", idle: "empty"}
    with app.app_context():
        save_settings("statements", {"send_empty": "true"}, actor="test")
    with at("2027-05-01 06:00"):
        run_job(app)
    [idle_statement] = statements(app, idle)
    assert idle_statement.subject == "Your statement for April 2027"


def test_a_spanish_member_reads_it_in_spanish(app, shop):
    _, uid = history(app, shop)
    with app.app_context():
        db.session.execute(update(User).where(User.id == uid).values(language="es"))
        db.session.commit()
    with at("2027-04-01 06:00"):
        run_job(app)
    [message] = statements(app, uid)
    assert message.subject == "Tu extracto de marzo de 2027"
    for line in ("Hola, Mia:", "Este es tu extracto de cuenta de marzo de 2027.",
                 "- Ganados: 177", "Disponibles ahora: 177 puntos.",
                 "100 puntos caducan el 10 de abril de 2027: úsalos antes.",
                 "Tu nivel: Plata.", "Te faltan 22,30\u00a0€ para llegar a Oro.",
                 "No hay eventos para ti en los próximos 30 días."):
        assert line in message.body, (line, message.body)


def test_a_plugin_that_is_off_leaves_its_part_out(app, shop, content):
    _, uid = history(app, shop)
    with app.app_context():
        set_enabled("events", False, actor="test")
        set_enabled("tiers", False, actor="test")
    with at("2027-04-01 06:00"):
        event_file(content, "silver-tasting", audience="members", days=10,
                   title="Open tasting")
        run_job(app)
    [message] = statements(app, uid)
    assert "- Earned: 177" in message.body
    assert "Your level" not in message.body and "Events for you" not in message.body
    with app.app_context():
        set_enabled("points", False, actor="test")
        save_settings("statements", {"sections": ["points"]}, actor="test")
    with at("2027-05-01 06:00"):
        run_job(app)
    assert len(statements(app, uid)) == 1  # nothing left to say: April is not sent


def test_the_owner_previews_a_members_statement(app, shop):
    client, uid = history(app, shop)
    shop.create_user("owner@example.com", role="owner", name="Olga")
    owner = app.test_client()
    shop.login(owner, "owner@example.com", PASSWORD)
    with at("2027-04-05 10:00"):
        shop.login(owner, "owner@example.com", PASSWORD)
        page = owner.get(f"/plugins/statements/preview?member={uid}").get_data(as_text=True)
        assert 'data-testid="statement-preview-en"' in page
        assert 'data-testid="statement-preview-es"' in page
        assert "Your statement for March 2027" in page and "Tu extracto de marzo de 2027" in page
        assert "- Earned: 177" in page and "- Ganados: 177" in page
        sample = owner.get("/plugins/statements/preview").get_data(as_text=True)
        assert 'data-testid="statement-sample"' in sample
        assert 'data-testid="statement-empty"' in sample  # the owner has nothing to report
        unknown = owner.get("/plugins/statements/preview?member=99999").get_data(as_text=True)
        assert "There is no member number 99999." in unknown
        customer = owner.get(f"/admin/customers/{uid}").get_data(as_text=True)
        assert f"/plugins/statements/preview?member={uid}" in customer
        shop.login(client, "mia@example.com", PASSWORD)
        assert client.get("/plugins/statements/preview").status_code == 404  # owners only
    assert statements(app) == []  # a preview sends nothing
