"""The surveys plugin: one invitation per paid order or attended event, a signed link that
works once, without logging in, for its own survey only and until it expires; points once;
the detractor event; member text kept plain; the rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select, update

from hooks import utcnow
from loyalty_plugins.surveys import links
from loyalty_plugins.surveys.models import Answer, ServqualScore, Survey, SurveyProduct
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.conftest import TEST_SECRET
from tests.points_support import balance, member
from tests.support.forms import hidden_fields
from tests.surveys_support import (
    answer_fields,
    configure,
    invitation_links,
    paid_order,
    send_invitations,
    survey_of_order,
    surveys_app,
)


@pytest.fixture
def app(make_app):
    return surveys_app(make_app)


def post_answer(client, link, fields):
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={**hidden_fields(page.get_data(as_text=True)), **fields})


def survey_points(app, user_id):
    from loyalty_plugins.points.models import PointsEntry

    with app.app_context():
        return db.session.execute(select(PointsEntry.delta, PointsEntry.reason).where(
            PointsEntry.user_id == user_id, PointsEntry.key.startswith("surveys:"))).all()


def test_a_paid_order_gets_one_invitation_and_answering_gives_points_once(app, shop):
    client, uid = member(app, shop)
    order_id = paid_order(app, shop, client)
    survey = survey_of_order(app, order_id)
    assert survey.kind == "order" and survey.invited_at is None
    assert send_invitations(app, days=1) == 0  # not due before the 7 days of the setting
    assert send_invitations(app) == 1
    assert send_invitations(app) == 0  # the job again: nothing new
    with app.app_context():
        [message] = db.session.scalars(select(Notification).where(
            Notification.plugin == "surveys")).all()
        assert message.kind == "surveys.survey" and message.user_id == uid
        assert message.subject.startswith("How was your order ")
        assert "Answering gives you 20 points." in message.body
        products = db.session.scalars(select(SurveyProduct.sku).where(
            SurveyProduct.survey_id == survey.id)).all()
        assert products == ["EQP-GRD-01"]
    [link] = invitation_links(app, uid)
    guest = app.test_client()  # the link works without logging in
    fields = hidden_fields(guest.get(link).get_data(as_text=True))
    answered = guest.post(link, data={
        **fields, **answer_fields(reason="<b>Quick</b> & friendly <3<script>x()</script>")})
    assert answered.status_code == 200
    assert "20 points for answering are in your account." in answered.get_data(as_text=True)
    assert survey_points(app, uid) == [(20, f"Answered the survey on order "
                                            f"{survey.order_number}")]
    assert balance(app, uid)[0] >= 20
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert f"answered the survey on order {survey.order_number}" in history
    with app.app_context():
        [row] = db.session.scalars(select(Answer)).all()
        assert (row.nps, row.delivery, row.product, row.service) == (9, 4, 5, 3)
        assert row.reason == "Quick & friendly <3"  # member text is kept as plain text
    from tests.test_events import staff_client

    comments = staff_client(app, shop, "manager").get("/plugins/surveys/comments")
    assert "<td>Quick &amp; friendly &lt;3</td>" in comments.get_data(as_text=True)
    # Replayed: the page and a second submission say it was answered; no more points.
    assert guest.get(link).status_code == 409
    again = guest.post(link, data={**fields, **answer_fields(nps="0")})
    assert again.status_code == 409
    assert len(survey_points(app, uid)) == 1


def test_guest_orders_get_no_survey(app, shop):
    guest = app.test_client()
    order_id = paid_order(app, shop, guest, email="walk-in@example.com")
    assert survey_of_order(app, order_id) is None


def test_a_link_opens_its_own_survey_only_until_it_expires(app, shop):
    client, uid = member(app, shop)
    first, second = paid_order(app, shop, client), paid_order(app, shop, client)
    send_invitations(app)
    link_one, link_two = invitation_links(app, uid)
    survey_two = survey_of_order(app, second)
    visitor = app.test_client()
    assert post_answer(visitor, link_one, answer_fields()).status_code == 200
    # The first link answered the first order's survey only.
    assert survey_of_order(app, first).answered_at is not None
    assert survey_of_order(app, second).answered_at is None
    with app.test_request_context():
        forged = URLSafeSerializer(TEST_SECRET, salt="another.salt").dumps(survey_two.id)
        other_key = URLSafeSerializer("another secret", salt=links.SALT).dumps(survey_two.id)
    token_one = link_one.rsplit("/", 1)[1]
    payload, signature = token_one.split(".")
    tampered = f"{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{signature}"
    for bad in (forged, other_key, tampered, "not-a-token", f"{token_one}x"):
        assert visitor.get(f"/plugins/surveys/s/{bad}").status_code == 404, bad
    # A survey not yet sent has no working link, even with a valid signature.
    client_two, uid_two = member(app, shop, email="leo@example.com", name="Leo")
    third = paid_order(app, shop, client_two, email="leo@example.com")
    with app.test_request_context():
        unsent = links.token(survey_of_order(app, third).id)
    assert visitor.get(f"/plugins/surveys/s/{unsent}").status_code == 404
    # Expired: the page says so, and an answer is not taken.
    with app.app_context():
        db.session.execute(update(Survey).where(Survey.id == survey_two.id)
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    closed = visitor.get(link_two)
    assert closed.status_code == 410 and "expired" in closed.get_data(as_text=True)
    assert survey_of_order(app, second).answered_at is None
    assert len(survey_points(app, uid)) == 1


def test_an_attended_event_gets_one_invitation(make_app, shop, tmp_path):
    from tests.events_support import events_app, registrations
    from tests.support.forms import post_form
    from tests.test_events import register, staff_client

    app = events_app(make_app, tmp_path, plugins=("tiers", "events", "points", "surveys"))
    shop.app = app
    client, uid = member(app, shop)
    register(client, "cupping")
    [reg] = registrations(app)
    staff = staff_client(app, shop)
    url = f"/events/checkin/{reg.token}"
    post_form(staff, url, url, {})
    post_form(staff, url, url, {})  # scanned twice: one attendance, one survey
    with app.app_context():
        [survey] = db.session.scalars(select(Survey)).all()
        assert (survey.kind, survey.event_slug, survey.event_title) == (
            "event", "cupping", "Cupping")
        assert survey.due_at - survey.created_at == timedelta(days=1)
        [event] = db.session.scalars(select(DomainEvent).where(
            DomainEvent.type == "events.attended")).all()
        assert event.payload == {"user_id": uid, "event": "cupping", "title": "Cupping",
                                 "registration_id": reg.id}
    assert send_invitations(app, days=2) == 1
    [link] = invitation_links(app, uid)
    page = client.get(link)
    assert "Organisation" in page.get_data(as_text=True)
    answered = post_answer(client, link, answer_fields(nps="10"))
    assert answered.status_code == 200
    assert survey_points(app, uid) == [(20, "Answered the survey on Cupping")]


def test_servqual_items_in_the_owners_words_are_stored_with_the_answer(app, shop):
    configure(app, servqual="true", servqual_wording=[
        {"dimension": "empathy", "expectation": "A great shop knows me.",
         "perception": "You knew me."}])
    client, uid = member(app, shop)
    paid_order(app, shop, client)
    send_invitations(app)
    [link] = invitation_links(app, uid)
    html = client.get(link).get_data(as_text=True)
    assert "A great shop knows me." in html and "You knew me." in html
    assert "An excellent shop does what it promises" in html  # built-in where none given
    incomplete = post_answer(client, link, answer_fields())
    assert incomplete.status_code == 400
    assert "Choose a number from 1 to 7 for both questions." in incomplete.get_data(
        as_text=True)
    pairs = {f"{d}_{side}": value for d, e, p in (
        ("tangibles", "6", "5"), ("reliability", "7", "4"), ("responsiveness", "5", "5"),
        ("assurance", "6", "6"), ("empathy", "4", "6"))
        for side, value in (("expectation", e), ("perception", p))}
    assert post_answer(client, link, answer_fields(**pairs)).status_code == 200
    with app.app_context():
        scores = {row.dimension: row for row in db.session.scalars(select(ServqualScore))}
        assert (scores["reliability"].expectation, scores["reliability"].perception) == (7, 4)
        assert scores["empathy"].perception_item == "You knew me."
        assert scores["tangibles"].expectation_item.startswith("An excellent shop has")


def test_a_detractor_is_announced_for_the_follow_up(app, shop):
    client, uid = member(app, shop)
    order_id = paid_order(app, shop, client)
    send_invitations(app)
    [link] = invitation_links(app, uid)
    post_answer(client, link, answer_fields(nps="3", reason="Late and broken"))
    with app.app_context():
        [event] = db.session.scalars(select(DomainEvent).where(
            DomainEvent.type == "surveys.detractor")).all()
        answer_id = db.session.scalar(select(Answer.id))
        assert event.aggregate_id == str(uid)
        assert event.payload == {"answer_id": answer_id, "survey_id": survey_of_order(
            app, order_id).id, "user_id": uid, "order_id": order_id, "event": None,
            "score": 3, "comment": "Late and broken"}


def test_answers_are_rate_limited(app, shop):
    configure(app, rate_limit_count="1")
    client, uid = member(app, shop)
    paid_order(app, shop, client)
    paid_order(app, shop, client)
    send_invitations(app)
    first, second = invitation_links(app, uid)
    assert post_answer(client, first, answer_fields()).status_code == 200
    limited = post_answer(client, second, answer_fields())
    assert limited.status_code == 429
    assert "the most we allow" in limited.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_a_member_who_stopped_surveys_gets_no_invitation(app, shop):
    from tests.test_message_kinds import preferences

    client, uid = member(app, shop)
    page = client.get("/account/preferences").get_data(as_text=True)
    assert "Surveys about your orders and events" in page
    preferences(client, **{"Send me news, offers and invitations": True,
                           "Surveys about your orders and events": False})
    paid_order(app, shop, client)
    send_invitations(app)
    with app.app_context():
        [status] = db.session.scalars(select(Notification.status).where(
            Notification.plugin == "surveys")).all()
    assert status == "suppressed"


def test_a_spanish_member_reads_the_invitation_and_the_survey_in_spanish(app, shop):
    from storefront.accounts.models import User
    from tests.points_support import PASSWORD
    from tests.support.forms import post_form

    client = app.test_client()
    post_form(client, "/register", "/register", {
        "name": "Lucía", "email": "lucia@example.com", "password": PASSWORD,
        "confirm": PASSWORD})
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    client.get(shop.link("lucia@example.com", "/register/finish/"))
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "lucia@example.com"))
    paid_order(app, shop, client, email="lucia@example.com")
    send_invitations(app)
    with app.app_context():
        [message] = db.session.scalars(select(Notification).where(
            Notification.plugin == "surveys")).all()
    assert message.subject.startswith("¿Qué tal fue tu pedido ")
    assert "Hola, Lucía:" in message.body and "Por responder recibes 20 puntos." in message.body
    [link] = invitation_links(app, uid)
    page = client.get(link).get_data(as_text=True)
    assert "¿Qué probabilidad hay de que nos recomiendes" in page
    post_answer(client, link, answer_fields())
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert "respuesta a la encuesta del pedido SF-" in history


def test_the_demo_has_one_answered_survey(app, shop):
    from storefront.demo import answer_demo_survey, ensure_demo_accounts

    with app.app_context():
        ensure_demo_accounts()
    client = app.test_client()
    shop.login(client, "member@demo.shop", "member-demo-pass")
    paid_order(app, shop, client, email="member@demo.shop")
    with app.app_context():
        assert answer_demo_survey() == "demo survey: one answered"
        assert answer_demo_survey() == "demo survey: answered before"
        [answer] = db.session.scalars(select(Answer)).all()
        assert answer.nps == 9 and answer.reason.startswith("Great coffee")


def test_the_owners_command_and_storefront_jobs_run_send_due_invitations(app, shop):
    from storefront.cli import main

    runner = app.test_cli_runner()
    result = runner.invoke(main, ["plugins", "settings", "surveys", "order_delay_days=0",
                                  "servqual=true"])
    assert result.exit_code == 0, result.output
    client, uid = member(app, shop)
    paid_order(app, shop, client)
    result = runner.invoke(main, ["jobs", "run", "--only", "surveys:invite"])
    assert result.exit_code == 0, result.output
    [link] = invitation_links(app, uid)
    assert "Service quality" in client.get(link).get_data(as_text=True)


def test_the_owner_sets_the_survey_on_its_settings_page(app, shop):
    from loyalty_plugins.surveys import settings
    from tests.support.forms import post_form
    from tests.test_events import staff_client

    owner = staff_client(app, shop, "owner")
    page = owner.get("/admin/plugins/surveys").get_data(as_text=True)
    assert "SERVQUAL wording" in page and "Days after payment to ask about an order" in page
    saved = post_form(owner, "/admin/plugins/surveys", "/admin/plugins/surveys/settings", {
        "order_delay_days": "3", "event_delay_days": "2", "link_days": "10", "points": "0",
        "servqual": "true", "rate_limit_count": "5"})
    assert saved.status_code == 303, saved.get_data(as_text=True)[-2000:]
    with app.app_context():
        cfg = settings.current()
    assert (cfg.order_delay_days, cfg.event_delay_days, cfg.link_days, cfg.points,
            cfg.servqual, cfg.wording) == (3, 2, 10, 0, True, {})
