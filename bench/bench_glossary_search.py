"""Benchmark: the term search of a 200,000-entry glossary's admin page and API, against the substring search
it replaced.

Imports the glossary of ``bench_imports.glossary_csv`` (en/es terms with a model number) into a fresh
migrated SQLite database, then times one page of entries (50, as the admin page shows) for searches
that match nothing, few and very many entries; the baseline, in the same run, is the earlier query
(``ilike '%term%'`` over every term). Median of 5 runs each, after one warm-up.
Run: ``.venv/bin/python bench/bench_glossary_search.py [--rows 200000]``
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from bench.bench_imports import glossary_csv  # noqa: E402

SEARCHES = [("matches nothing", "zzz"), ("matches nothing, like a word inside terms", "refund 19"),
            ("one entry", "express order 123456"), ("a few entries", "digital parcel 1999"),
            ("very many entries", "premium"), ("one letter", "e")]


def timed(run) -> float:
    run()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from glossaries.bulk import store_glossary
    from glossaries.formats import open_glossary
    from glossaries.listing import entries_page
    from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm
    from tolk import create_app
    from tolk.db import db, upgrade
    from tolk.pagination import PageRequest

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/search.db"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench",
                          "REDIS_URL": "redis://127.0.0.1:9/0", "INSTANCE_PATH": f"{tmp}/instance"})
        data = glossary_csv(args.rows)
        with app.app_context():
            opened = open_glossary(data, "big.csv", max_bytes=len(data) + 1)
            store_glossary(db.session, name="big", source_lang=opened.source_lang, description="",
                           concepts=opened.concepts)
            db.session.commit()
            glossary = db.session.scalar(select(Glossary).where(Glossary.name == "big"))
            assert glossary is not None
            wanted = PageRequest(limit=50)

            def new(term: str):
                return lambda: entries_page(db.session, glossary, wanted, term=term).items

            def old(term: str):
                def run():
                    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                    query = (select(GlossaryConcept).where(GlossaryConcept.glossary_id == glossary.id)
                             .options(selectinload(GlossaryConcept.terms))
                             .where(GlossaryConcept.id.in_(select(GlossaryTerm.concept_id).where(
                                 GlossaryTerm.text.ilike(pattern, escape="\\"))))
                             .order_by(GlossaryConcept.id).limit(51))
                    return db.session.scalars(query).all()
                return run

            print(f"SQLite, {args.rows:,} entries ({args.rows * 2:,} terms); one page of 50; median of 5; "
                  f"load average {os.getloadavg()[0]:.1f}\n")
            print("| search | entries on the page | prefix on the search form | substring (baseline) |")
            print("| --- | ---: | ---: | ---: |")
            first_page = timed(lambda: entries_page(db.session, glossary, wanted).items)
            print(f"| none (first page) | 50 | {first_page:.1f} ms | |")
            for label, term in SEARCHES:
                count = len(new(term)())
                print(f"| {label}: `{term}` | {count} | {timed(new(term)):.1f} ms | {timed(old(term)):.1f} ms |",
                      flush=True)


if __name__ == "__main__":
    main()
