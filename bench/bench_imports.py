"""Benchmark: importing a 200,000-row glossary CSV, a 200,000-entry TBX and a 200,000-unit TMX as a worker does.

Generates the files (support terms and sentences in en, es, de, fr), migrates a fresh SQLite database,
then runs each import in a child process of its own, as the worker's job body (``glossaries.import_jobs
.run`` with the glossary or TMX work, on a job row the parent wrote with the file), and reports the child's wall time and peak RSS
(``VmHWM``), and its CPU time (``getrusage``, less load-sensitive). Baselines from the same run: a child that builds the app and imports nothing, and the
earlier all-in-memory path (parse everything, then ORM objects) on a twentieth of the glossary rows.
Goal (issue #16): each under 30 s and under 300 MB.
Run: ``.venv/bin/python bench/bench_imports.py [--rows 200000] [--entries 200000] [--units 200000] [--only tmx,tbx]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = {  # en: (es, de, fr)
    "account": ("cuenta", "Konto", "compte"), "order": ("pedido", "Bestellung", "commande"),
    "refund": ("reembolso", "Rückerstattung", "remboursement"), "invoice": ("factura", "Rechnung", "facture"),
    "delivery": ("entrega", "Lieferung", "livraison"), "payment": ("pago", "Zahlung", "paiement"),
    "password": ("contraseña", "Passwort", "mot de passe"), "voucher": ("vale", "Gutschein", "bon"),
    "warranty": ("garantía", "Garantie", "garantie"), "label": ("etiqueta", "Etikett", "étiquette"),
    "subscription": ("suscripción", "Abonnement", "abonnement"), "parcel": ("paquete", "Paket", "colis"),
}
MODIFIERS = {"express": ("exprés", "Express", "express"), "annual": ("anual", "Jahres", "annuel"),
             "digital": ("digital", "digital", "numérique"), "premium": ("prémium", "Premium", "premium"),
             "mobile": ("móvil", "Mobil", "mobile"), "family": ("familiar", "Familien", "famille")}
SENTENCES = ["Your {w} was updated on {d}.", "Please check the {w} in the app.", "We sent the {w} to you today.",
             "The {w} for order {n} is ready.", "Thanks for waiting, your {w} is on its way."]
TRANSLATED = {"es": "Su {w} ({n}) está listo.", "de": "Ihr {w} ({n}) ist bereit.", "fr": "Votre {w} ({n}) est prêt."}


def glossary_csv(rows: int) -> bytes:
    """A CSV of ``rows`` en/es concepts (a model number makes each unique): 200,000 rows make about 5 MB,
    like the file in issue #16."""
    lines = ["en,es"]
    combos = itertools.cycle(itertools.product(MODIFIERS.items(), WORDS.items()))
    for n in range(rows):
        (m, (ms, _md, _mf)), (w, (ws, _wd, _wf)) = next(combos)
        lines.append(f"{m} {w} {n},{ws} {ms} {n}")
    return ("\n".join(lines) + "\n").encode()


def glossary_tbx(entries: int) -> bytes:
    """A TBX v3 (TBX-Basic, DCA) file of ``entries`` en/es concepts, the terms of ``glossary_csv`` with a part of
    speech, one line per language section: about 55 MB for 200,000 entries."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<tbx type="TBX-Basic" style="dca" xml:lang="en" '
           'xmlns="urn:iso:std:iso:30042:ed-2">\n<tbxHeader><fileDesc><titleStmt><title>big</title></titleStmt>'
           '</fileDesc></tbxHeader>\n<text><body>\n']
    combos = itertools.cycle(itertools.product(MODIFIERS.items(), WORDS.items()))
    for n in range(entries):
        (m, (ms, _md, _mf)), (w, (ws, _wd, _wf)) = next(combos)
        out.append(f'<conceptEntry id="c{n}">\n')
        for lang, text in (("en", f"{m} {w} {n}"), ("es", f"{ws} {ms} {n}")):
            out.append(f'<langSec xml:lang="{lang}"><termSec><term>{text}</term>'
                       '<termNote type="partOfSpeech">noun</termNote></termSec></langSec>\n')
        out.append("</conceptEntry>\n")
    out.append("</body></text>\n</tbx>\n")
    return "".join(out).encode()


def tmx(units: int) -> bytes:
    from machinery.tmx import TmxUnit, write_tmx

    rng = random.Random(16)
    langs = ["es", "de", "fr"]
    out = []
    for n in range(units):
        word = rng.choice(list(WORDS))
        lang = langs[n % 3]
        target_word = WORDS[word][langs.index(lang)]
        out.append(TmxUnit("en", lang, rng.choice(SENTENCES).format(w=word, d=f"May {n % 28 + 1}", n=n),
                           TRANSLATED[lang].format(w=target_word, n=n)))
    return write_tmx(out, "en")


def child(kind: str, url: str, path: str, redis_url: str) -> None:
    """Run one import (or nothing) in this process; print seconds and peak RSS as JSON."""
    logging.disable(logging.WARNING)
    from glossaries import import_jobs
    from glossaries.file_import import glossary_work
    from glossaries.formats import read_glossary
    from glossaries.models import ImportJob
    from glossaries.store import save_termbase
    from machinery.tm_import import tmx_work
    from tolk import create_app
    from tolk.db import db

    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench", "REDIS_URL": redis_url,
                      "MAX_UPLOAD_BYTES": 200_000_000, "INSTANCE_PATH": str(Path(path).parent / "instance")})
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with app.app_context():
        if kind == "old-glossary":
            data = Path(path).read_bytes()
            save_termbase(db.session, read_glossary(data, "old.csv", max_bytes=len(data) + 1), name="old")
            db.session.commit()
        elif kind in ("glossary", "tbx", "tmx"):
            # The job row (with the file) was written by the parent, as the web request does: this is the worker.
            status = import_jobs.run(db.session, f"bench-{kind}", tmx_work if kind == "tmx" else glossary_work)
            job = db.session.get(ImportJob, f"bench-{kind}")
            if status != "done":
                raise SystemExit(f"{kind} import {status}: {job.error if job else ''}")
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb()}))


def cpu_seconds() -> float:
    """CPU time of this process (user + system): less sensitive to a shared machine's load than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which (unlike ru_maxrss) starts afresh at exec, not at the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def queue_job(url: str, kind: str, path: Path) -> None:
    """The import job with its file, as ``POST .../import`` leaves it for a worker."""
    from sqlalchemy.orm import Session

    from glossaries.models import ImportJob
    from tolk.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        session.add(ImportJob(id=f"bench-{kind}", kind="tmx" if kind == "tmx" else "glossary", filename=path.name,
                              data=path.read_bytes(), options={"name": f"big-{kind}", "replace": True}))
        session.commit()
    engine.dispose()


#: Issue #16: 200,000 rows, entries or units each in under 30 s and under 300 MB peak.
GOAL_SECONDS, GOAL_MB = 30.0, 300.0


def run_child(kind: str, url: str, path: Path, redis_url: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, url, str(path), redis_url], capture_output=True,
                         text=True, check=False)
    if out.returncode:
        raise SystemExit(f"{kind}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=200_000, help="TBX entries")
    parser.add_argument("--units", type=int, default=200_000)
    parser.add_argument("--only", default="", help="comma-separated: old-glossary,glossary,tbx,tmx (default all)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        # A Redis of its own for the jobs' progress, as a worker has.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                  "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            run_all(args, tmp, f"redis://127.0.0.1:{port}/0")
        finally:
            redis.terminate()
            redis.wait(timeout=10)


def run_all(args: argparse.Namespace, tmp: str, redis_url: str) -> None:
    from tolk.db import upgrade

    url = f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    files = {"glossary": Path(tmp) / "big.csv", "old-glossary": Path(tmp) / "old.csv", "tbx": Path(tmp) / "big.tbx",
             "tmx": Path(tmp) / "big.tmx"}
    files["glossary"].write_bytes(glossary_csv(args.rows))
    files["old-glossary"].write_bytes(glossary_csv(args.rows // 20))
    files["tbx"].write_bytes(glossary_tbx(args.entries))
    files["tmx"].write_bytes(tmx(args.units))
    print("SQLite; each import in a child process of its own; peak RSS of that process; the load average of the\n"
          "machine (1 min) as each import started\n")
    print("| import | size | time | CPU time | peak RSS | load | goal: < 30 s, < 300 MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    rows = [("idle", "app built, nothing imported", files["glossary"]),
            ("old-glossary", f"earlier path, CSV of {args.rows // 20:,} rows", files["old-glossary"]),
            ("glossary", f"CSV job, {args.rows:,} rows", files["glossary"]),
            ("tbx", f"TBX job, {args.entries:,} entries (en, es)", files["tbx"]),
            ("tmx", f"TMX job, {args.units:,} units", files["tmx"])]
    only = {k for k in args.only.split(",") if k}
    for kind, label, path in rows:
        if only and kind not in only and kind != "idle":
            continue
        if kind in ("glossary", "tbx", "tmx"):
            queue_job(url, kind, path)
        load = os.getloadavg()[0]
        result = run_child(kind, url, path, redis_url)
        size = f"{path.stat().st_size / 1e6:.1f} MB" if kind != "idle" else ""
        goal = ""
        if kind in ("glossary", "tbx", "tmx"):
            goal = "met" if result["seconds"] < GOAL_SECONDS and result["peak_mb"] < GOAL_MB else "**not met**"
        print(f"| {label} | {size} | {result['seconds']:.1f} s | {result['cpu']:.1f} s | {result['peak_mb']:.0f} MB "
              f"| {load:.1f} | {goal} |", flush=True)


if __name__ == "__main__":
    main()
