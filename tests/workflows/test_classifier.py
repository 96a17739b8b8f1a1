"""The shipped critical-content classifier: same scores as scikit-learn, and what it learned."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from workflows.classifier import MODEL_PATH, CriticalClassifier, load_classifier

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_routing_classifier.py"
TEXTS = ["We will charge your card again tomorrow", "Thanks, have a lovely day!", "Wir haben Ihr Konto gesperrt.",
         "¿Me pasas el número de pedido?", "ok", "a", "Je pakket is onderweg 📦", "Reset   the\trouter, then wait 2 min"]


def test_the_shipped_model_tells_critical_from_routine_replies_it_never_saw():
    model = load_classifier()
    assert model.grey_zone <= model.threshold
    assert model.score("Your overdraft fee will be taken from the account on Friday") >= model.grey_zone
    assert model.score("Have a great weekend!") < model.grey_zone


@pytest.fixture(scope="module")
def trained():
    """The training script's pipeline fitted on the training set (needs scikit-learn)."""
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("train_routing_classifier", SCRIPT)
    assert spec and spec.loader
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    items = train.training_items()
    pipe = train.pipeline().fit([i["text"] for i in items], [int(i["label"] == "CRITICAL") for i in items])
    return train, pipe


def test_runtime_scores_equal_scikit_learns(trained):
    train, pipe = trained
    ours = CriticalClassifier.from_dict(train.export(pipe, 0.8, 0.5))
    expected = pipe.predict_proba(TEXTS)[:, 1]
    assert [round(ours.score(t), 9) for t in TEXTS] == [round(float(p), 9) for p in expected]


def test_the_shipped_weights_are_what_training_gives_again(trained):
    train, pipe = trained
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    again = json.loads(json.dumps(train.export(pipe, shipped["threshold"], shipped["grey_zone"])))
    assert shipped["trained_on"] == again["trained_on"] == "tests/fixtures/routing/train.jsonl"
    assert again["intercept"] == pytest.approx(shipped["intercept"], abs=1e-9)
    for ours, theirs in zip(again["blocks"], shipped["blocks"], strict=True):
        assert ours["table"].keys() == theirs["table"].keys()
        assert all(ours["table"][g] == pytest.approx(theirs["table"][g], abs=1e-9) for g in ours["table"])


def test_scoring_keeps_no_word_the_model_did_not_learn():
    """Replies carry customers' names: the n-gram cache keeps only the model's own vocabulary, so nothing of a
    reply outlives it in the process, and a second scoring (from the cache) gives the same score."""
    model = CriticalClassifier.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    text = "Hi Wojciechowskaya, your refund of 40 EUR was sent to the card ending 4242"
    first = model.score(text)
    kept = {word for block in model.blocks for word in block._grams}
    assert "refund" in kept
    assert not kept & {"wojciechowskaya,", "wojciechowskaya", "4242"}
    assert model.score(text) == first
