"""Train the critical-content classifier on the routing training set and write its weights as JSON.

Run: ``.venv/bin/python scripts/train_routing_classifier.py`` (needs the ``train`` extra: scikit-learn).
Deterministic: the same training set gives the same file. The thresholds are chosen for recall first
(see docs/routing.md): the grey zone starts below the lowest out-of-fold score of a critical training
reply that no rule catches, as long as the rules and the grey zone still release the routine share
given by ``--min-release``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows.classifier import MODEL_PATH  # noqa: E402
from workflows.routing import RoutingInput, Turn, content_reasons, context_reasons, is_confirmation  # noqa: E402

TRAIN = ROOT / "tests" / "fixtures" / "routing" / "train.jsonl"
VERSION = "critical-tfidf-lr-1"


def pipeline() -> Pipeline:
    """Word 1-2-grams and character 2-5-grams within words, TF-IDF, balanced logistic regression."""
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000, random_state=0)
    return Pipeline([("features", make_union(words, chars)), ("model", model)])


def rules_fire(item: dict) -> bool:
    """Whether a content or context rule already holds this training reply."""
    data = RoutingInput(source_text=item["text"], source_lang=item["lang"], target_lang="xx", channel="chat",
                        engine="mt", customer_message=item.get("customer_message"),
                        thread=[Turn(**t) for t in item.get("thread", [])])
    return bool(content_reasons(item["text"]) or context_reasons(data))


def export(pipe: Pipeline, threshold: float, grey_zone: float) -> dict:
    """The fitted pipeline as the table workflows/classifier.py reads."""
    union, model = pipe.named_steps["features"], pipe.named_steps["model"]
    coef = model.coef_[0]
    blocks, offset = [], 0
    for _name, vec in union.transformer_list:
        vocab = vec.vocabulary_
        table = {gram: [float(vec.idf_[i]), float(coef[offset + i])] for gram, i in sorted(vocab.items())}
        blocks.append({"analyzer": vec.analyzer, "ngram_range": list(vec.ngram_range),
                       "sublinear_tf": vec.sublinear_tf, "table": table})
        offset += len(vocab)
    return {"version": VERSION, "trained_on": TRAIN.relative_to(ROOT).as_posix(), "blocks": blocks,
            "intercept": float(model.intercept_[0]), "threshold": threshold, "grey_zone": grey_zone}


def training_items() -> list[dict]:
    """The labelled training turns the classifier learns from (bare confirmations left to the context rule)."""
    items = [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    # A bare confirmation ("Yes, done.") is critical or not by its context: the context rule judges it.
    return [i for i in items if not (is_confirmation(i["text"]) and i.get("customer_message"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-release", type=float, default=0.85, help="routine share the rules + grey zone release")
    parser.add_argument("--native-from", type=float, default=0.8, help="score from which it holds for native review")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    items = training_items()
    texts = [i["text"] for i in items]
    labels = np.array([i["label"] == "CRITICAL" for i in items], dtype=int)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    oof = cross_val_predict(pipeline(), texts, labels, cv=folds, method="predict_proba")[:, 1]
    caught = np.array([rules_fire(i) for i in items])
    missed = oof[(labels == 1) & ~caught]
    routine_free = oof[(labels == 0) & ~caught]
    routine_total = int((labels == 0).sum())
    # Recall first: below every critical reply the rules miss; then loosen only as far as release demands.
    grey = float(missed.min()) * 0.9 if len(missed) else 0.5
    for candidate in sorted(set(np.round(np.linspace(grey, 0.95, 200), 4))):
        released = int((routine_free < candidate).sum())
        if released / routine_total >= args.min_release:
            grey = float(candidate)
            break
    # Native review where the classifier is fairly sure; the grey zone below it asks the agent to confirm.
    threshold = max(args.native_from, grey)
    pipe = pipeline().fit(texts, labels)
    args.out.write_text(json.dumps(export(pipe, round(threshold, 4), round(grey, 4)), ensure_ascii=False,
                                   sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(items)} training replies, {int(labels.sum())} critical; rules catch {int(caught[labels == 1].sum())}"
          f"; out-of-fold: lowest missed critical {missed.min() if len(missed) else float('nan'):.3f}; "
          f"grey zone from {grey:.4f}, native review from {threshold:.4f}; wrote {args.out.relative_to(ROOT)} "
          f"({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
