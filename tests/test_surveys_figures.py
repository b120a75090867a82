"""The owner's survey figures against hand-computed expectations on fixed answers: NPS over
time, the SERVQUAL gap with its 95% confidence interval, the marks, the filters, the comments
and the CSV; managers and the owner only."""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta

import pytest

from hooks import utcnow
from loyalty_plugins.surveys import stats
from loyalty_plugins.surveys.models import Answer, ServqualScore, Survey, SurveyProduct
from storefront.extensions import db
from tests.surveys_support import surveys_app
from tests.test_events import staff_client

# (days ago, kind, product or event, NPS, delivery mark, reliability pair, comment)
ANSWERS = [
    (40, "order", "EQP-GRD-01", 10, 5, (6, 4), "Lovely grinder"),
    (40, "order", "EQP-KTL-01", 8, 4, (7, 5), ""),
    (40, "event", "cupping", 2, 3, (5, 5), "=HYPERLINK(\"x\")"),
    (1, "order", "EQP-GRD-01", 10, 2, (6, 3), "Fast"),
    (1, "order", "EQP-GRD-01", 9, 1, None, ""),
    (1, "event", "cupping", 6, None, None, "Too crowded"),
]


def test_nps_and_gap_arithmetic_by_hand():
    found = stats.nps([10, 10, 9, 8, 6, 2])
    assert (found.promoters, found.passives, found.detractors) == (3, 1, 2)
    assert found.score == pytest.approx(100 * (3 - 2) / 6)  # 16.67
    assert stats.nps([]).score is None
    gap = stats.gap_of_pairs("reliability", [(6, 4), (7, 5), (5, 5), (6, 3)])
    # Differences −2, −2, 0, −3: mean −1.75; s² = (0.0625+0.0625+3.0625+1.5625)/3 = 1.58333;
    # s/√4 = 0.629153; t(0.975, 3 df) = 3.182446; half width 2.002245.
    assert (gap.expectation, gap.perception, gap.gap) == (6.0, 4.25, -1.75)
    assert gap.low == pytest.approx(-1.75 - 3.182446 * math.sqrt(4.75 / 3) / 2, abs=1e-5)
    assert gap.high == pytest.approx(0.252245, abs=1e-5)
    single = stats.gap_of_pairs("tangibles", [(5, 6)])
    assert single.gap == 1 and single.low is None and single.answers == 1
    flat = stats.gap_of_pairs("empathy", [(4, 6), (3, 5)])
    assert (flat.low, flat.high) == (2.0, 2.0)  # no spread: the interval is the mean


@pytest.fixture
def app(make_app, shop):
    app = surveys_app(make_app)
    member = shop.create_user("mia@example.com", name="Mia")
    now = utcnow()
    with app.app_context():
        for n, (days, kind, about, score, delivery, pair, comment) in enumerate(ANSWERS):
            when = now - timedelta(days=days)
            survey = Survey(subject=f"{kind}:{n}", kind=kind, user_id=member,
                            order_id=n if kind == "order" else None,
                            order_number=f"SF-{n}" if kind == "order" else "",
                            event_slug=about if kind == "event" else "",
                            event_title="Cupping" if kind == "event" else "",
                            created_at=when, due_at=when, invited_at=when,
                            expires_at=when, answered_at=when)
            db.session.add(survey)
            db.session.flush()
            if kind == "order":
                db.session.add(SurveyProduct(survey_id=survey.id, sku=about, title=about))
            answer = Answer(survey_id=survey.id, user_id=member, nps=score, reason=comment,
                            delivery=delivery, created_at=when)
            db.session.add(answer)
            db.session.flush()
            if pair:
                db.session.add(ServqualScore(answer_id=answer.id, dimension="reliability",
                                             expectation=pair[0], perception=pair[1]))
        db.session.add(ServqualScore(answer_id=answer.id, dimension="tangibles",
                                     expectation=5, perception=6))
        db.session.commit()
    return app


def cells(html: str, testid: str, key: str) -> list[str]:
    """The cells of the row of table ``testid`` that starts with ``key`` (data attribute)."""
    table = html.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    row = table.split(key)[1].split("</tr>")[0]
    return [cell.split(">", 1)[1].split("<")[0].strip()
            for cell in row.split("<td")[1:]]


def test_the_owner_reads_nps_gap_and_marks_as_computed_by_hand(app, shop):
    owner = staff_client(app, shop, "owner")
    html = owner.get("/plugins/surveys/").get_data(as_text=True)
    nps = html.split('data-testid="surveys-nps"')[1].split("</table>")[0]
    assert ">6<" in nps and "3 (50%)" in nps and "1 (17%)" in nps and "2 (33%)" in nps
    assert 'data-testid="surveys-nps-score">16.7<' in html
    months = html.split('data-testid="surveys-months"')[1].split("</table>")[0]
    rows = [row for row in months.split("<tr data-month=")[1:] if "<td" in row]
    figures = [[cell.split("<")[0] for cell in row.split('class="num">')[1:]] for row in rows]
    assert ["1", "1", "1", "0.0"] in figures  # 40 days ago: 10, 8, 2
    assert ["2", "0", "1", "33.3"] in figures  # yesterday: 10, 9, 6
    assert cells(html, "surveys-gaps", 'data-dimension="reliability"') == [
        "6.00", "4.25", "-1.75", "-3.75 … 0.25", "4"]
    assert cells(html, "surveys-gaps", 'data-dimension="tangibles"') == [
        "5.00", "6.00", "1.00", "–", "1"]
    assert cells(html, "surveys-marks", 'data-mark="delivery"') == ["3.0", "5"]  # 5,4,3,2,1
    main = html.split("<main")[1].split("</main>")[0]
    assert main.count('role="img"') == 3 and "<script" not in main  # pygal's script removed


def test_filters_by_kind_product_event_and_period(app, shop):
    owner = staff_client(app, shop, "manager")

    def score(query):
        html = owner.get(f"/plugins/surveys/?{query}").get_data(as_text=True)
        return html.split('data-testid="surveys-nps-score">')[1].split("<")[0]

    assert score("kind=event") == "-100.0"  # 2 and 6: both detractors
    assert score("event=cupping") == "-100.0"
    assert score("product=EQP-GRD-01") == "100.0"  # 10, 10, 9
    assert score("kind=order") == "75.0"  # 10, 8, 10, 9: 3 of 4 promoters, none detractor
    since = (utcnow() - timedelta(days=5)).date().isoformat()
    assert score(f"from={since}") == "33.3"
    bad = owner.get("/plugins/surveys/?from=2026-13-01")
    assert bad.status_code == 400 and "year-month-day" in bad.get_data(as_text=True)


def test_comments_with_filters_and_the_csv(app, shop):
    owner = staff_client(app, shop, "manager")
    html = owner.get("/plugins/surveys/comments?group=detractors").get_data(as_text=True)
    assert "Too crowded" in html and "Lovely grinder" not in html
    assert "mia@example.com" in html
    everyone = owner.get("/plugins/surveys/comments").get_data(as_text=True)
    assert everyone.count("<tr data-answer=") == 4  # the answers with a comment
    answer = owner.get("/plugins/surveys/answers.csv?kind=event")
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["nps"] for row in rows] == ["2", "6"]
    assert rows[0]["comment"] == "'=HYPERLINK(\"x\")"  # never a formula
    assert rows[0]["reliability_expectation"] == "5" and rows[0]["group"] == "detractors"


@pytest.mark.parametrize("role,status", [("customer", 403), ("staff", 403), ("manager", 200),
                                         ("owner", 200)])
def test_only_managers_and_the_owner_see_the_figures(app, shop, role, status):
    client = staff_client(app, shop, role)
    for path in ("/plugins/surveys/", "/plugins/surveys/comments",
                 "/plugins/surveys/answers.csv"):
        assert client.get(path).status_code == status, path
    guest = app.test_client().get("/plugins/surveys/")
    assert guest.status_code == 302 and "/login" in guest.headers["Location"]
