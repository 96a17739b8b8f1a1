"""Index snapshots in the running app: `tolk tm index`, the worker's rebuild job, erasure, Redis outages."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete

from machinery import memory_index
from machinery.memory_jobs import queue_missing_snapshots, queue_rebuild
from machinery.models import TmOrigin, TmSegment
from machinery.service import services
from tests.conftest import free_port, run_jobs
from tolk.db import db
from tolk.queue import queue


def add(app, texts: list[str], pair=("en", "es"), context: str | None = None) -> None:
    with app.app_context():
        for text in texts:
            services().memory.add(db.session, *pair, text, text.upper(), TmOrigin.HUMAN, context=context)
        db.session.commit()


def snapshot_bytes(app, pair=("en", "es")) -> bytes:
    directory = memory_index.pair_directory(services(app).memory.index_dir, pair)
    return b"".join(path.read_bytes() for path in directory.rglob("*") if path.is_file())


def test_tm_index_builds_a_snapshot_of_every_pair(app, runner):
    add(app, ["Your parcel is on its way", "The refund was issued"])
    add(app, ["Twoja paczka jest w drodze"], pair=("pl", "en"))
    result = runner.invoke(args=["tm", "index"])
    assert result.exit_code == 0, result.output
    assert "en > es: snapshot g" in result.output and "pl > en: snapshot g" in result.output
    with app.app_context():
        directory = services().memory.index_dir
        assert memory_index.open_snapshot(directory, ("en", "es")).seen_max > 0
    bad = runner.invoke(args=["tm", "index", "--source-lang", "en"])
    assert bad.exit_code != 0 and "both" in bad.output


@pytest.mark.parametrize("app_config", [{"TM_INDEX_DIR": "memory"}])
def test_tm_index_says_when_indexes_are_kept_in_memory(runner):
    result = runner.invoke(args=["tm", "index"])
    assert result.exit_code != 0 and "TOLK_TM_INDEX_DIR is `memory`" in result.output


def test_a_stale_pair_queues_one_rebuild_and_an_erasure_always_one_more(app):
    with app.app_context():
        queue_rebuild("en", "es")
        queue_rebuild("en", "es")
        assert queue().job_ids == ["tm-index-en_es"]
        queue_rebuild("en", "es", erasure=True)
        ids = queue().job_ids
        assert len(ids) == 2 and ids[1].startswith("tm-index-en_es-erasure-")


def test_the_erasure_job_writes_the_snapshot_again_without_the_erased_segment(app):
    add(app, ["Your parcel is on its way", "The refund was issued"])
    add(app, ["Refund approved for the Lisbon store"], context="reply:999")
    with app.app_context():
        assert services().memory.lookup_fuzzy("en", "es", "Refund approved for the Lisbon store!")
    assert b"Lisbon" in snapshot_bytes(app)
    with app.app_context():
        db.session.execute(delete(TmSegment).where(TmSegment.context == "reply:999"))
        services().memory.forget(db.session, [("en", "es")])
        db.session.commit()
        assert any(i.startswith("tm-index-en_es-erasure-") for i in queue().job_ids)
    run_jobs(app)
    assert b"Lisbon" not in snapshot_bytes(app)
    with app.app_context():
        assert services().memory.lookup_fuzzy("en", "es", "Refund approved for the Lisbon store!") == []


@pytest.mark.parametrize("app_config", [{"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}])
def test_a_redis_outage_is_logged_and_the_lookup_goes_on(app, caplog):
    with app.app_context(), caplog.at_level(logging.WARNING, logger="machinery.memory_jobs"):
        queue_rebuild("en", "es")
    assert "cannot queue a new index of en>es" in caplog.text


def test_the_worker_queues_a_snapshot_at_start_for_each_pair_without_one(app, runner):
    add(app, ["Your parcel is on its way"])
    add(app, ["Twoja paczka jest w drodze"], pair=("pl", "en"))
    assert runner.invoke(args=["tm", "index", "--source-lang", "en", "--target-lang", "es"]).exit_code == 0
    with app.app_context():
        assert queue_missing_snapshots() == [("pl", "en")]
        assert queue().job_ids == ["tm-index-pl_en"]
    run_jobs(app)
    with app.app_context():
        assert memory_index.current_generation(services().memory.index_dir, ("pl", "en")) is not None
        assert queue_missing_snapshots() == []


def test_the_worker_queues_a_new_snapshot_at_start_for_a_pair_whose_snapshot_is_of_an_older_format(app, runner):
    add(app, ["Your parcel is on its way"])
    add(app, ["Twoja paczka jest w drodze"], pair=("pl", "en"))
    assert runner.invoke(args=["tm", "index"]).exit_code == 0
    with app.app_context():
        directory = services().memory.index_dir
        old = memory_index.current_generation(directory, ("pl", "en"))
        meta = memory_index.pair_directory(directory, ("pl", "en")) / str(old) / "meta.json"
        meta.write_text(meta.read_text().replace(f'"format": {memory_index.FORMAT}',
                                                 f'"format": {memory_index.FORMAT - 1}'))
        assert queue_missing_snapshots() == [("pl", "en")]
    run_jobs(app)
    with app.app_context():
        assert memory_index.current_generation(directory, ("pl", "en")) not in (None, old)
        assert memory_index.has_snapshot(directory, ("pl", "en")) and queue_missing_snapshots() == []


@pytest.mark.parametrize("app_config", [{"TM_INDEX_DIR": "memory"}])
def test_with_indexes_in_memory_the_worker_queues_no_snapshot(app):
    add(app, ["Your parcel is on its way"])
    with app.app_context():
        assert queue_missing_snapshots() == [] and queue().job_ids == []
