"""Demo review history: six weeks of reviewed segments per demo language, so the dashboard has trends.

Deterministic (a seeded ``random.Random``) apart from the dates, which end on the day of seeding. Each
language has its own story: Spanish improves week by week, Polish gets worse, the others hold steady
with noise. Records are what a review writes (``workflows.review``): outcome, texts, MQM annotations
anchored on the machine translation, queue and review times; a few Arabic texts are human translations.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lqa.models import MqmAnnotationRow, QualityRecord, ReviewOutcome
from lqa.mqm import count_words
from tolk.db import utcnow

WEEKS = 6
PER_WEEK = 20  # reviewed segments per language and week
SEED = 20261129
REF_PREFIX = "demo-history:"  # object_ref of every seeded record: how a second seed knows it ran


@dataclass(frozen=True)
class Story:
    """How a language's quality moves: MQM errors per segment in the first and the last week."""

    engine: str
    reviewer: str
    errors_first: float
    errors_last: float
    human_share: float = 0.0


STORIES = {
    "es": Story("deepl", "lucia", 1.0, 0.15),    # improving: a new glossary and engine settings
    "ca": Story("apertium", "lucia", 0.35, 0.35),
    "de": Story("deepl", "lucia", 0.25, 0.3),
    "nl": Story("deepl", "joost", 0.3, 0.25),
    "pl": Story("deepl", "piotr", 0.1, 1.1),     # worsening: the engine's new model regressed
    "ar": Story("google", "lucia", 0.45, 0.4, human_share=0.1),
}

# (source, machine translation, the reviewer's version, a word of the MT an error is marked on). A record
# stands for a reply or article section of several such sentences: its word count is a multiple.
PHRASES = {
    "es": [("Your refund was processed yesterday.", "Su reembolso estuvo procesado ayer.",
            "Su reembolso se procesó ayer.", "estuvo"),
           ("Please reset your password from the login page.", "Por favor reinicie su contraseña de la página "
            "de inicio.", "Restablezca su contraseña desde la página de inicio de sesión.", "reinicie"),
           ("Your order ships within two business days.", "Su orden envía dentro de dos días hábiles.",
            "Su pedido se envía en dos días hábiles.", "orden")],
    "ca": [("Your refund was processed yesterday.", "El seu reemborsament va ser processat ahir.",
            "El seu reemborsament es va processar ahir.", "processat"),
           ("Your order ships within two business days.", "La seva comanda envia dins de dos dies laborables.",
            "La seva comanda s'envia en dos dies laborables.", "envia")],
    "de": [("Your refund was processed yesterday.", "Ihre Rückerstattung wurde gestern bearbeitet.",
            "Ihre Erstattung wurde gestern bearbeitet.", "Rückerstattung"),
           ("Please reset your password from the login page.", "Bitte setzen Sie Ihr Passwort von der "
            "Anmeldeseite zurück.", "Bitte setzen Sie Ihr Passwort auf der Anmeldeseite zurück.", "von")],
    "nl": [("Your refund was processed yesterday.", "Uw terugbetaling werd gisteren verwerkt.",
            "Uw terugbetaling is gisteren verwerkt.", "werd"),
           ("Your order ships within two business days.", "Uw bestelling verzendt binnen twee werkdagen.",
            "Uw bestelling wordt binnen twee werkdagen verzonden.", "verzendt")],
    "pl": [("Your refund was processed yesterday.", "Twój zwrot był przetworzony wczoraj.",
            "Państwa zwrot został wczoraj zrealizowany.", "przetworzony"),
           ("Please reset your password from the login page.", "Proszę zresetować twoje hasło ze strony "
            "logowania.", "Prosimy zresetować hasło na stronie logowania.", "twoje")],
    "ar": [("Your refund was processed yesterday.", "تمت معالجة استردادك أمس.", "تمت معالجة المبلغ المسترد أمس.",
            "استردادك"),
           ("Your order ships within two business days.", "طلبك يشحن خلال يومي عمل.", "يُشحن طلبك خلال يومي عمل.",
            "يشحن")],
}
CATEGORIES = ("accuracy/mistranslation", "fluency/grammar", "terminology", "style", "locale_convention")
SEVERITY_WEIGHTS = (("minor", 0.75), ("major", 0.24), ("critical", 0.01))


def _errors(rng: random.Random, expected: float) -> int:
    # A Poisson draw (Knuth) with the week's expected errors per segment.
    limit, count, product = pow(2.718281828459045, -expected), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _record(rng: random.Random, lang: str, story: Story, when: dt.datetime, expected: float, n: int
            ) -> QualityRecord:
    source, mt, edited, marked = rng.choice(PHRASES[lang])
    human = rng.random() < story.human_share
    errors = 0 if human else _errors(rng, expected)
    outcome = (ReviewOutcome.APPROVED_EDITED if human or errors else
               rng.choice([ReviewOutcome.APPROVED, ReviewOutcome.APPROVED, ReviewOutcome.APPROVED_EDITED]))
    if errors >= 3 and rng.random() < 0.5:
        outcome = ReviewOutcome.REJECTED
    final = None if outcome == ReviewOutcome.REJECTED else mt if outcome == ReviewOutcome.APPROVED else edited
    queued = when - dt.timedelta(minutes=rng.randint(30, 600))
    spot = not human and rng.random() < 0.3
    start = mt.find(marked)
    annotations = [MqmAnnotationRow(
        category=rng.choice(CATEGORIES), rater=story.reviewer, anchored_on="mt", quote=marked,
        prefix=mt[max(0, start - 32):start], suffix=mt[start + len(marked):start + len(marked) + 32],
        span_start=start, span_end=start + len(marked),
        severity=rng.choices([s for s, _w in SEVERITY_WEIGHTS], [w for _s, w in SEVERITY_WEIGHTS])[0])
        for _ in range(errors)]
    return QualityRecord(
        source_lang="en", target_lang=lang, engine="human" if human else story.engine,
        content_type="article" if rng.random() < 0.25 else "reply", channel=rng.choice(["email", "chat", None]),
        reviewer=story.reviewer, spot_check=spot, outcome=outcome, source_text=source, mt_text="" if human else mt,
        final_text=final, words=count_words(source) * rng.randint(5, 9), check_findings={},
        queued_at=queued, due_at=queued + dt.timedelta(hours=4), reviewed_at=when, created_at=when,
        object_ref=f"{REF_PREFIX}{lang}:{n}", annotations=annotations)


def demo_history(now: dt.datetime, *, weeks: int = WEEKS, per_week: int = PER_WEEK) -> list[QualityRecord]:
    """The demo records: ``per_week`` per language in each of the ``weeks`` ISO weeks up to ``now``'s."""
    rng = random.Random(SEED)
    monday = (now - dt.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    first = monday - dt.timedelta(weeks=weeks - 1)
    records = []
    for lang, story in STORIES.items():
        for week in range(weeks):
            share = week / max(weeks - 1, 1)
            expected = story.errors_first + (story.errors_last - story.errors_first) * share
            start = first + dt.timedelta(weeks=week)
            span = min(dt.timedelta(weeks=1), now - start).total_seconds()  # this week: up to now only
            for i in range(per_week):
                when = start + dt.timedelta(seconds=rng.uniform(0, span))
                records.append(_record(rng, lang, story, when, expected, week * per_week + i))
    return records


def seed_demo_quality(session: Session) -> None:
    """Add the demo review history once (idempotent: a database that has it is left alone)."""
    if session.scalar(select(QualityRecord.id).where(QualityRecord.object_ref.like(f"{REF_PREFIX}%")).limit(1)):
        return
    session.add_all(demo_history(utcnow()))
    session.flush()
