"""Benchmark of the glossary admin pages on a large glossary: one page of entries, a deep page, a term
search, the glossary list and the entries API, against the same pages of a small glossary (the baseline,
same run) and against loading every entry as the page did before pagination (measured on fewer entries).

Run: ``.venv/bin/python bench/bench_admin_pages.py [--entries 200000] [--small 1000] [--old 20000] [--runs 7]``.
Not a test: it prints a Markdown table (timings are of this machine; SQLite, the Flask test client, warm).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm  # noqa: E402
from glossaries.store import get_glossary, glossary_to_dict  # noqa: E402
from tolk import create_app  # noqa: E402
from tolk.accounts import create_user  # noqa: E402
from tolk.db import db, upgrade  # noqa: E402
from tolk.pagination import encode_cursor  # noqa: E402

PASSWORD = "bench-admin-1"
CHUNK = 20000


def seed(name: str, count: int) -> None:
    """A glossary of ``count`` entries (an English and a Spanish term each), inserted in bulk."""
    glossary = Glossary(name=name, source_lang="en", description=f"{count} generated entries")
    db.session.add(glossary)
    db.session.flush()
    first = (db.session.scalar(select(func.max(GlossaryConcept.id))) or 0) + 1
    for start in range(0, count, CHUNK):
        ids = range(first + start, first + min(start + CHUNK, count))
        db.session.execute(insert(GlossaryConcept), [{"id": i, "glossary_id": glossary.id,
                                                      "do_not_translate": False} for i in ids])
        db.session.execute(insert(GlossaryTerm), [
            row for i in ids for row in (
                {"concept_id": i, "lang": "en", "text": f"term {i - first:06d}", "case_sensitive": False,
                 "status": "preferred"},
                {"concept_id": i, "lang": "es", "text": f"término {i - first:06d}", "case_sensitive": False,
                 "status": "preferred"})])
    db.session.commit()


def timed(fn, runs: int) -> tuple[float, float, int]:
    """(median ms, max ms, bytes of the last answer) over ``runs`` warm calls (one warm-up first)."""
    fn()
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--old", type=int, default=20_000, help="entries for the load-everything baseline")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": f"{tmp}/instance", "TESTING": True})
        start = time.perf_counter()
        with app.app_context():
            create_user(db.session, "ada", role="admin", password=PASSWORD)
            seed("big", args.entries)
            seed("small", args.small)
            seed("old", args.old)
            big_first = db.session.scalar(select(func.min(GlossaryConcept.id)).join(Glossary)
                                          .where(Glossary.name == "big")) or 0
        print(f"seeded {args.entries + args.small + args.old:,} entries in {time.perf_counter() - start:.1f} s\n")

        client = app.test_client()
        client.get("/sign-in")
        with client.session_transaction() as sess:
            sess["csrf"] = "b" * 43
        signed = client.post("/sign-in", data={"name": "ada", "password": PASSWORD, "csrf_token": "b" * 43})
        assert signed.status_code in (302, 303), signed.status_code

        def page(url: str):
            def get() -> int:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return len(response.get_data())
            return get

        def old_way() -> int:
            with app.app_context():
                return len(str(glossary_to_dict(get_glossary(db.session, "old"), entries=True)))

        deep = encode_cursor(big_first + args.entries - 30)
        rows = [
            (f"baseline: /admin/glossaries/small ({args.small:,} entries), first page", page("/admin/glossaries/small")),
            (f"/admin/glossaries/big ({args.entries:,} entries), first page", page("/admin/glossaries/big")),
            ("/admin/glossaries/big, last page (cursor)", page(f"/admin/glossaries/big?cursor={deep}")),
            ("/admin/glossaries/big?term=término 19999 (search)", page("/admin/glossaries/big?term=t%C3%A9rmino%2019999")),
            ("/admin/glossaries (list with counts and languages)", page("/admin/glossaries")),
            ("GET /api/v1/glossaries/big/entries?limit=1000", page("/api/v1/glossaries/big/entries?limit=1000")),
            (f"before: every entry loaded ({args.old:,} entries, data only, no HTML)", old_way),
        ]
        print("| request | median ms | max ms | answer KiB | vs baseline |")
        print("|---|---:|---:|---:|---:|")
        base = None
        for label, fn in rows:
            median, worst, size = timed(fn, args.runs if not label.startswith("before") else 2)
            base = base or median
            print(f"| {label} | {median:.0f} | {worst:.0f} | {size / 1024:.0f} | {median / base:.1f}x |")


if __name__ == "__main__":
    main()
