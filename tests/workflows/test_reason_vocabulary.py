"""One vocabulary of reasons for replies and articles: the same cause reads the same, old codes included."""

from __future__ import annotations

import pytest

from workflows.models import Decision
from workflows.pages.display import REASON_ALIASES, REASONS, reason_detail, reason_text
from workflows.routing import RoutingInput, decide

# What articles stored before the vocabulary was one, and what replies store for the same cause.
SAME_CAUSE = [
    ({"code": "no_engine_for_pair", "message": "no engine serves en -> kk"},
     {"code": "no_engine", "decision": "human_translation", "message": "no engine serves en -> kk"}),
    ({"code": "critical_finding", "message": "2 critical check finding(s) in the translation"},
     {"code": "quality:critical_check", "decision": "native_review", "message": "Critical automatic check failed: "
      "placeholders", "template": "Critical automatic check failed: %(checks)s", "params": {"checks": "placeholders"}}),
    ({"code": "policy_review", "message": "the publishing policy is review"},
     {"code": "locale:always_review", "decision": "native_review", "message": "pl content is always reviewed"}),
]


@pytest.mark.parametrize(("article", "reply"), SAME_CAUSE)
def test_a_reply_and_an_article_held_for_the_same_cause_read_the_same(app, article, reply):
    with app.test_request_context():
        assert reason_text(article) == reason_text(reply)
        assert reason_text(article) == REASONS[REASON_ALIASES[article["code"]]]
        assert article["code"] in reason_detail(article)  # the stored code stays at hand


def test_every_reason_routing_writes_outside_the_content_rules_has_words(app):
    result = decide(RoutingInput("Thanks!", "en", "pl", "social", None, vip=True, escalated=True,
                                 detection_uncertain=True))
    with app.test_request_context():
        for r in result.reasons:
            assert r.code in REASONS and reason_text(r.to_dict()) == REASONS[r.code]
    assert result.decision == Decision.HUMAN_TRANSLATION


def test_a_rejection_gives_the_reviewers_words_and_an_unknown_code_its_message(app):
    with app.test_request_context():
        assert reason_text({"code": "rejected", "message": "Wrong amount."}) == "Rejected: Wrong amount."
        assert reason_text({"code": "something_new", "message": "as stored"}) == "as stored"
        assert reason_text({"code": "something_new"}) == "Another reason"
