"""Benchmark of KB translation cost: characters sent to engines when an article is translated again.

Run: ``.venv/bin/python bench/bench_kb_cost.py [--segments 200] [--target es]``.
Not a test: it prints a Markdown table. A throw-away SQLite database is migrated, a KB article of
``--segments`` distinct support sentences is translated en -> target through the machinery translator
(the KB job's own code, called directly, so Redis is not needed), translated again unchanged, then
again after one sentence was edited. Characters are those recorded in ``engine_calls`` (engine != tm);
the baseline column is what each run would send without the translation memory: the whole article.
The last columns are what the meter records for translation-memory hits (engine ``tm`` rows): the
characters they saved and their money value, with Apertium priced like DeepL (``--price``, per million
characters) so the figure is not zero.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

PRODUCTS = ["wireless headphones", "smart watch", "coffee grinder", "desk lamp", "router", "backpack",
            "e-reader", "blender", "phone case", "keyboard", "gift card", "subscription"]
PLACES = ["Settings", "Orders", "Account", "Billing", "Security", "Notifications", "Returns", "Devices"]
ACTIONS = ["restart the device", "update the firmware", "clear the browser cache", "sign out and sign in again",
           "check the cable connection", "reinstall the app", "reset the network settings"]
TEMPLATES = [
    "To change how your {product} works, open {place} and choose the option you need.",
    "If the {product} does not turn on, {action} and wait a few minutes.",
    "You can return the {product} within {days} days if it is unused and in its original box.",
    "Refunds for the {product} are processed within {days} business days after we receive it.",
    "Open {place} to see every order, its status and the tracking link.",
    "When you {action}, your saved preferences for the {product} stay the same.",
    "We send a confirmation email as soon as the {product} leaves our warehouse.",
    "The warranty of the {product} covers manufacturing defects for {years} years.",
    "Some features of the {product} are only available after you {action}.",
    "To protect your account, we ask for a verification code when you open {place} on a new device.",
    "Delivery of the {product} usually takes {days} days, longer on public holidays.",
    "If a payment fails, open {place} and check that your card details are up to date.",
]


def kb_sentences(n: int, seed: int = 11) -> list[str]:
    """``n`` distinct, realistic KB sentences, reproducible from ``seed``."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < n:
        sentence = rng.choice(TEMPLATES).format(product=rng.choice(PRODUCTS), place=rng.choice(PLACES),
                                                action=rng.choice(ACTIONS), days=rng.randint(2, 30),
                                                years=rng.randint(1, 5))
        seen.setdefault(sentence)
    return list(seen)


def article_html(sentences: list[str]) -> str:
    """Paragraphs of four sentences, every fifth block a list, as KB articles are written."""
    blocks = []
    for start in range(0, len(sentences), 4):
        group = sentences[start:start + 4]
        if (start // 4) % 5 == 4:
            blocks.append("<ul>" + "".join(f"<li>{s}</li>" for s in group) + "</ul>")
        else:
            blocks.append("<p>" + " ".join(group) + "</p>")
    return "".join(blocks)


def main(argv: list[str] | None = None) -> int:
    """Translate the article three times and print the cost table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--target", default="es")
    parser.add_argument("--price", type=float, default=20.0, help="price per million characters (EUR)")
    args = parser.parse_args(argv)

    from machinery.models import EngineCall
    from tolk import create_app
    from tolk.db import db, upgrade
    from workflows import kb

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0", "INSTANCE_PATH": tmp,
                          "SECRET_KEY": "bench", "ENGINE_ROUTES": "*=deepl,google,apertium", "WEBHOOK_URLS": [],
                          "ENGINE_PRICES": f"apertium={args.price}", "COST_CURRENCY": "EUR"})
        sentences = kb_sentences(args.segments)
        title = "Orders, returns and devices"
        with app.app_context():
            session = db.session
            article = kb.create_article(session, slug="bench", title=title,
                                        body_html=kb.sanitize(article_html(sentences)), source_locale="en",
                                        critical=False, target_locales=[args.target], author="bench")
            session.commit()
            segments = len(kb.current_revision(article).segments)
            rows = []

            def run(label: str) -> None:
                whole = sum(map(len, kb.current_revision(article).segments)) + len(title)
                before = session.scalar(select(func.coalesce(func.max(EngineCall.id), 0)))
                [job] = kb.prepare_jobs(session, article, [args.target], "bench")
                session.commit()
                started = time.perf_counter()
                kb.run_translation(session, job.id)
                seconds = time.perf_counter() - started
                calls = session.scalars(select(EngineCall).where(
                    EngineCall.id > before, EngineCall.engine != "tm", EngineCall.ok.is_(True))).all()
                chars = sum(c.characters for c in calls)
                tm = session.scalars(select(EngineCall).where(EngineCall.id > before, EngineCall.engine == "tm")).all()
                rows.append((label, sum(c.segments for c in calls), chars, whole, seconds,
                             session.get(type(job), job.id).status.value, sum(c.characters for c in tm),
                             sum(c.cost for c in tm), sum(c.cost for c in calls)))

            run("first translation")
            run("second translation, unchanged")
            edited = sentences[len(sentences) // 2]
            new_body = article_html([s if s != edited else edited.replace(".", ", as the guide explains.")
                                     for s in sentences])
            kb.update_article(session, article, author="bench", body_html=kb.sanitize(new_body))
            session.commit()
            run("after editing one sentence")
            changed = kb.current_revision(article).segments[kb.changed_segments(
                kb.revision_of(article, 1).segments, kb.current_revision(article).segments)[0]]
        app.extensions["tolk.db"][0].dispose()
        machinery = app.extensions.get("tolk.machinery")
        if machinery is not None:
            machinery.close()

    print(f"KB article: {segments} segments + title, en -> {args.target}, {rows[0][3]} source characters; "
          f"edited segment: {len(changed)} characters\n")
    print("| run | segments sent | characters sent to engines | without TM (baseline) | saved | seconds | job | "
          "TM saved, metered (chars) | spent (EUR) | TM saved (EUR) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for label, sent, chars, base, seconds, status, tm_chars, tm_money, spent in rows:
        saved = 100 * (1 - chars / base)
        print(f"| {label} | {sent} | {chars} | {base} | {saved:.1f}% | {seconds:.2f} | {status} | {tm_chars} | "
              f"{spent:.6f} | {tm_money:.6f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
