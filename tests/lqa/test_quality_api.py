"""GET /api/v1/quality and its CSV report: roles, reviewer languages, filters and bad parameters."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from machinery.metering import cost_figures
from machinery.models import EngineCall
from tests.factories import MQM2_SIGNATURE, T0, add_record


@pytest.fixture
def records(app):
    from tolk.db import db

    with app.app_context():
        add_record(db.session, "es", words=10, errors=("major", "minor"), engine="deepl")
        add_record(db.session, "es", words=30, engine="apertium", created_at=T0 + dt.timedelta(days=7))
        add_record(db.session, "de", words=20, errors=("minor",))
        db.session.add(EngineCall(engine="deepl", source_lang="en", target_lang="es", segments=1, characters=40,
                                  billed_characters=40, created_at=T0))
        db.session.commit()


def test_admin_gets_figures_per_language(app, client, admin_headers, records) -> None:
    app.extensions.pop("tolk.cost_figures")  # as an installation without machinery metering would be
    response = client.get("/api/v1/quality", headers=admin_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [entry["lang"] for entry in body["languages"]] == ["de", "es"]
    assert body["profile"] == MQM2_SIGNATURE
    es = body["languages"][1]
    (group,) = es["groups"]
    assert group["key"] is None and group["mqm"]["score"] == pytest.approx(85.0) and group["mqm"]["inconclusive"]
    assert {"spot_check", "targeted", "post_edit", "review", "first_pass_acceptance"} <= set(group)
    assert es["cost"]["available"] is False  # no provider registered on this app


def test_editor_filters_by_language_engine_and_period_and_groups_by_week(client, make_user, records) -> None:
    _, headers = make_user("editor")
    response = client.get("/api/v1/quality?lang=ES&from=2026-03-01&to=2026-03-31&group_by=week&profile=wmt",
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["filters"]["lang"] == "es" and body["filters"]["to"] == "2026-03-31"
    assert body["profile"].startswith("wmt|") and body["group_by"] == "week"
    (es,) = body["languages"]
    assert [(g["key"], g["segments"]) for g in es["groups"]] == [("2026-W10", 1), ("2026-W11", 1)]

    deepl = client.get("/api/v1/quality?engine=deepl", headers=headers).get_json()
    assert [(e["lang"], e["segments"]) for e in deepl["languages"]] == [("de", 1), ("es", 1)]
    march_2 = client.get("/api/v1/quality?to=2026-03-02", headers=headers).get_json()
    assert sum(e["segments"] for e in march_2["languages"]) == 2


def test_cost_figures_come_from_the_registered_provider(app, client, admin_headers, records) -> None:
    assert app.extensions["tolk.cost_figures"] is cost_figures  # machinery registers it
    es = client.get("/api/v1/quality?lang=es", headers=admin_headers).get_json()["languages"][0]
    assert es["cost"]["available"] and es["cost"]["billed_characters"] == 40
    assert es["cost"]["engines"][0]["engine"] == "deepl"


def test_reviewer_sees_only_their_languages(client, make_user, records) -> None:
    _, headers = make_user("reviewer", languages="es,ca")
    body = client.get("/api/v1/quality", headers=headers).get_json()
    assert [entry["lang"] for entry in body["languages"]] == ["es"]
    assert client.get("/api/v1/quality?lang=es", headers=headers).status_code == 200
    refused = client.get("/api/v1/quality?lang=de", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/quality/report.csv", headers=headers).text)))
    assert [row["lang"] for row in rows] == ["es"]
    assert client.get("/api/v1/quality/report.csv?lang=de", headers=headers).status_code == 403


def test_agents_are_refused_and_anonymous_callers_must_sign_in(client, agent_headers, records) -> None:
    assert client.get("/api/v1/quality", headers=agent_headers).status_code == 403
    assert client.get("/api/v1/quality/report.csv", headers=agent_headers).status_code == 403
    assert client.get("/api/v1/quality").status_code == 401


@pytest.mark.parametrize(("query", "words"), [
    ("group_by=rater", "group_by"),
    ("from=2026-13-01", "'from' must be an ISO date"),
    ("to=yesterday", "'to' must be an ISO date"),
    ("from=2026-03-09&to=2026-03-01", "after"),
    ("lang=xx-Qqqq", "lang"),
    ("profile=bleu", "profile"),
    ("langs=es", "unknown parameter(s): langs"),
    ("engine=" + "x" * 81, "'engine' is longer than 80"),
])
def test_bad_parameters_are_refused_with_a_clear_message(client, admin_headers, query, words) -> None:
    for path in ("/api/v1/quality", "/api/v1/quality/report.csv"):
        response = client.get(f"{path}?{query}", headers=admin_headers)
        assert response.status_code == 400, response.data
        assert words in response.get_json()["error"]["message"]


def test_unknown_language_has_its_own_error_code(client, admin_headers) -> None:
    response = client.get("/api/v1/quality?lang=qq", headers=admin_headers)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "unknown_language"


def test_csv_report_has_named_columns_and_a_row_per_group(client, admin_headers, records) -> None:
    response = client.get("/api/v1/quality/report.csv?group_by=engine", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "quality-report.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {"lang", "group", "mqm_score", "mqm_inconclusive", "ter", "chrf", "first_pass_acceptance",
            "sla_met_rate", "glossary_adherence", "billed_characters", "csat_machine_mean",
            "spot_check_mqm", "targeted_mqm", "profile"} <= set(rows[0])
    assert [(r["lang"], r["group"], r["segments"]) for r in rows] == [
        ("de", "deepl", "1"), ("es", "apertium", "1"), ("es", "deepl", "1")]
    assert rows[2]["mqm_score"] == "40.0" and rows[2]["mqm_inconclusive"] == "yes"  # 6 points over 10 words


def test_inconclusive_threshold_follows_the_quality_min_words_setting(app, client, admin_headers, records) -> None:
    app.config["QUALITY_MIN_WORDS"] = 30
    body = client.get("/api/v1/quality?lang=es", headers=admin_headers).get_json()
    assert body["min_words"] == 30
    assert body["languages"][0]["groups"][0]["mqm"]["inconclusive"] is False  # 40 words, two segments
