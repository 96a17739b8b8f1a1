"""`tolk seed-demo` loads weeks of review history per language, so the dashboard opens with trends."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from lqa.demo import STORIES, demo_history
from lqa.metrics import quality_report
from lqa.models import QualityRecord
from tests.web.forms import sign_in
from tolk.db import db

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def summary(records):
    return [(r.target_lang, r.outcome, r.words, r.created_at, [(a.category, a.severity) for a in r.annotations])
            for r in records]


def test_the_history_is_the_same_every_time():
    assert summary(demo_history(NOW)) == summary(demo_history(NOW))


def test_seed_demo_gives_four_weeks_or_more_per_language_with_trends_on_the_dashboard(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent: no second history
    with app.app_context():
        total = db.session.scalar(select(func.count(QualityRecord.id)))
        weekly = quality_report(db.session, group_by="week")
    assert total == len(demo_history(NOW))
    by_lang = {language["lang"]: language["groups"] for language in weekly["languages"]}
    for lang in STORIES:
        weeks = [g for g in by_lang[lang] if g["segments"]]
        assert len(weeks) >= 4, lang
        first, last = (dt.date.fromisocalendar(int(w["key"][:4]), int(w["key"][6:]), 1)
                       for w in (weeks[0], weeks[-1]))
        assert (last - first).days >= 28, lang
        for w in weeks:  # every interval within the score's range
            assert w["mqm"]["ci_high"] is None or w["mqm"]["ci_high"] <= 100.0

    def trend(lang):
        scores = [g["mqm"]["score"] for g in by_lang[lang]]
        return sum(scores[-2:]) / 2 - sum(scores[:2]) / 2

    assert trend("es") > 2 and trend("pl") < -2  # Spanish improves, Polish worsens
    human = sum(g["post_edit"]["human_translations"] for g in by_lang["ar"])
    assert human > 0 and all(g["post_edit"]["human_translations"] == 0 for g in by_lang["es"])

    sign_in(client, "kim", "demo-editor")
    html = client.get("/quality").get_data(as_text=True)
    for lang in STORIES:
        section = html.split(f'id="charts-{lang}"', 1)[1].split("</section>", 1)[0]
        mqm_chart = section.split("</svg>", 1)[0]
        (points,) = re.findall(r'<polyline class="chart-line" fill="none" points="([^"]+)"', mqm_chart)
        assert len(points.split()) >= 4, lang
        assert 'class="chart-band"' in mqm_chart, lang
