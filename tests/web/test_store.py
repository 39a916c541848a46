"""The SQLite store: WAL mode, schema version and migrations, rounds under concurrency."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from kemitraan_assess.web.store import MIGRATIONS, SCHEMA_VERSION, Store


def test_new_store_is_wal_at_the_latest_schema(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.journal_mode() == "wal"
    assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    for sub in ("files", "projects", "rounds", "reports", "tmp"):
        assert (tmp_path / sub).is_dir()


def test_migrates_a_version_1_file_and_keeps_its_data(tmp_path: Path) -> None:
    old = Store.__new__(Store)  # a store as version 1 of the app left it
    old.root = tmp_path
    old.db_path = tmp_path / "kemitraan.sqlite3"
    old._local = threading.local()
    old.migrate(target=1)
    old.create_project(
        name="Program A", instrument="bundled:kemitraan-readiness", lang="id", min_group_size=5
    )
    assert old.schema_version() == 1
    with pytest.raises(sqlite3.OperationalError):
        old.session("x")  # no sessions table yet
    old.close()

    store = Store(tmp_path)  # opening migrates
    assert store.schema_version() == SCHEMA_VERSION
    assert [p.name for p in store.projects()] == ["Program A"]
    store.add_session("h", "tok", authenticated=False, ttl=60)
    assert store.session("h") == ("tok", False)


def test_a_newer_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.transaction() as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    store.close()
    with pytest.raises(RuntimeError, match="newer kemitraan-assess"):
        Store(tmp_path)


def test_concurrent_uploads_get_distinct_rounds(tmp_path: Path) -> None:
    store = Store(tmp_path)
    p = store.create_project(
        name="P", instrument="bundled:kemitraan-readiness", lang="en", min_group_size=5
    )
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            s = Store(tmp_path)
            s.add_upload(
                upload_id=f"u{i}",
                project_id=p.id,
                original_name=f"f{i}.csv",
                size=1,
                sha256="0" * 64,
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(u.round for u in store.uploads(p.id)) == list(range(1, 9))


def test_jobs_left_running_are_interrupted_at_start(tmp_path: Path) -> None:
    store = Store(tmp_path)
    p = store.create_project(
        name="P", instrument="bundled:kemitraan-readiness", lang="en", min_group_size=5
    )
    u = store.add_upload(
        upload_id="u1", project_id=p.id, original_name="a.csv", size=1, sha256="0" * 64
    )
    running = store.create_job(p.id, u.id)
    store.update_job(running.id, status="running", total=10, done=4)
    finished = store.create_job(p.id, u.id)
    store.update_job(finished.id, status="done")
    assert store.mark_interrupted() == 1
    assert store.job(running.id).status == "interrupted"
    assert store.job(running.id).done == 4
    assert store.job(finished.id).status == "done"
