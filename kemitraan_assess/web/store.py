"""The web app's store: one SQLite file in the data folder, plus files named by id.

Layout of the data folder::

    kemitraan.sqlite3          projects, uploads (rounds), jobs, sessions; WAL mode
    files/<id>.bin             an upload, byte for byte as received (sha256 in the table)
    projects/<id>/             instrument.yaml, instrument source, logo, brand.yaml
    rounds/<upload id>/<key>/  what the library made of a round (ingest account, scores)
    reports/<job id>/          a report job's output (the batch's own layout)
    tmp/                       uploads being received (emptied at start)

Nothing here is ever named after a user-supplied name: file names are random ids.
The schema carries a version (table ``schema_version``) and :data:`MIGRATIONS` bring
an older file up to date in order, each in its own transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Store",
    "Project",
    "Upload",
    "PendingUpload",
    "Job",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PROJECT_SETTINGS",
    "new_id",
]

PROJECT_SETTINGS = (
    "name",
    "instrument",
    "lang",
    "min_group_size",
    "organisation",
    "primary_color",
    "footer",
    "logo",
)
"""The columns of a project that its settings page may change."""

MIGRATIONS: tuple[str, ...] = (
    # 1: projects, uploads (one per round) and report jobs
    """
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        instrument TEXT NOT NULL,          -- 'bundled:<id>' or 'file'
        lang TEXT NOT NULL,
        min_group_size INTEGER NOT NULL,
        organisation TEXT NOT NULL DEFAULT '',
        primary_color TEXT NOT NULL DEFAULT '',
        footer TEXT NOT NULL DEFAULT '',
        logo TEXT NOT NULL DEFAULT '',     -- file name under projects/<id>/, or ''
        mapping TEXT NOT NULL DEFAULT '',  -- the project's mapping, YAML as for --mapping
        created REAL NOT NULL
    );
    CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        round INTEGER NOT NULL,
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (project_id, round)
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        upload_id TEXT NOT NULL REFERENCES uploads(id),
        status TEXT NOT NULL,              -- queued, running, done, failed, interrupted
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        failures TEXT NOT NULL DEFAULT '[]',
        error TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        finished REAL
    );
    CREATE INDEX jobs_by_upload ON jobs(upload_id);
    """,
    # 2: sessions for the password gate and the CSRF token of every form
    """
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        csrf TEXT NOT NULL,
        authenticated INTEGER NOT NULL DEFAULT 0,
        expires REAL NOT NULL
    );
    """,
    # 3: uploads waiting for their columns to be matched (not yet a round), and the
    # time the project's settings last changed (reports made before it predate them)
    """
    CREATE TABLE pending_uploads (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',   -- the code of the error ingest gave
        created REAL NOT NULL
    );
    ALTER TABLE projects ADD COLUMN settings_changed REAL NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def new_id() -> str:
    """A random id (32 hex digits): the only thing a stored file is ever named after."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    instrument: str
    lang: str
    min_group_size: int
    organisation: str
    primary_color: str
    footer: str
    logo: str
    mapping: str
    created: float
    settings_changed: float = 0.0


@dataclass(frozen=True)
class Upload:
    id: str
    project_id: str
    round: int
    original_name: str
    size: int
    sha256: str
    created: float


@dataclass(frozen=True)
class PendingUpload:
    """A stored upload whose columns must be matched before it becomes a round."""

    id: str
    project_id: str
    original_name: str
    size: int
    sha256: str
    reason: str
    created: float


@dataclass(frozen=True)
class Job:
    id: str
    project_id: str
    upload_id: str
    status: str
    total: int
    done: int
    failures: tuple[str, ...]
    error: str
    created: float
    finished: float | None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")


class Store:
    """Projects, uploads, jobs and sessions in ``<data>/kemitraan.sqlite3``.

    One connection per thread (SQLite connections are not shared); WAL mode lets
    pages read while an upload or a job writes.
    """

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir)
        for sub in ("files", "projects", "rounds", "reports", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "kemitraan.sqlite3"
        self._local = threading.local()
        self.migrate()

    # ------------------------------------------------------------------ plumbing
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.db_path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, waiting its turn."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        conn = self._conn()
        have = conn.execute("SELECT name FROM sqlite_master WHERE name='schema_version'").fetchone()
        if not have:
            return 0
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, target: int = SCHEMA_VERSION) -> int:
        """Apply the migrations after the file's version, each in one transaction."""
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            if conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 0:
                conn.execute("INSERT INTO schema_version VALUES (0)")
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.db_path}: made by a newer kemitraan-assess (schema {current}); "
                f"upgrade kemitraan-assess or start with another --data folder"
            )
        for version in range(current + 1, target + 1):
            with self.transaction() as conn:
                for statement in MIGRATIONS[version - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("UPDATE schema_version SET version = ?", (version,))
        return self.schema_version()

    def journal_mode(self) -> str:
        return str(self._conn().execute("PRAGMA journal_mode").fetchone()[0])

    # ------------------------------------------------------------------ paths
    def project_dir(self, project_id: str) -> Path:
        return self.root / "projects" / project_id

    def upload_path(self, upload_id: str) -> Path:
        return self.root / "files" / f"{upload_id}.bin"

    def round_dir(self, upload_id: str) -> Path:
        return self.root / "rounds" / upload_id

    def report_dir(self, job_id: str) -> Path:
        return self.root / "reports" / job_id

    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    def clean_tmp(self) -> None:
        """Remove half-received uploads left by a stop (they were never recorded)."""
        for child in self.tmp_dir().iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    # ------------------------------------------------------------------ projects
    def create_project(
        self,
        *,
        name: str,
        instrument: str,
        lang: str,
        min_group_size: int,
        organisation: str = "",
        primary_color: str = "",
        footer: str = "",
        logo: str = "",
        project_id: str | None = None,
    ) -> Project:
        pid = project_id or new_id()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO projects (id, name, instrument, lang, min_group_size, organisation,"
                " primary_color,"
                " footer, logo, mapping, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
                (
                    pid,
                    name,
                    instrument,
                    lang,
                    int(min_group_size),
                    organisation,
                    primary_color,
                    footer,
                    logo,
                    time.time(),
                ),
            )
        return self.project(pid)

    def project(self, project_id: str) -> Project:
        row = self._conn().execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise KeyError(project_id)
        return Project(**dict(row))

    def projects(self) -> list[Project]:
        rows = self._conn().execute("SELECT * FROM projects ORDER BY created DESC").fetchall()
        return [Project(**dict(r)) for r in rows]

    def set_mapping(self, project_id: str, mapping_yaml: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE projects SET mapping = ? WHERE id = ?", (mapping_yaml, project_id))

    def update_project(self, project_id: str, **fields: Any) -> Project:
        """Change settings of a project (:data:`PROJECT_SETTINGS`); ``settings_changed``
        becomes now when a value differs. The instrument cannot change once a round exists.
        """
        bad = set(fields) - set(PROJECT_SETTINGS)
        if bad:
            raise ValueError(f"cannot update {sorted(bad)}")
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
            if row is None:
                raise KeyError(project_id)
            changed = {k: v for k, v in fields.items() if row[k] != v}
            if (
                "instrument" in changed
                and conn.execute(
                    "SELECT 1 FROM uploads WHERE project_id = ? LIMIT 1", (project_id,)
                ).fetchone()
            ):
                raise ValueError("the instrument of a project with rounds cannot change")
            if changed:
                cols = ", ".join(f"{k} = ?" for k in changed)
                conn.execute(
                    f"UPDATE projects SET {cols}, settings_changed = ? WHERE id = ?",
                    (*changed.values(), time.time(), project_id),
                )
        return self.project(project_id)

    # ------------------------------------------------------------------ uploads
    def add_upload(
        self,
        *,
        upload_id: str,
        project_id: str,
        original_name: str,
        size: int,
        sha256: str,
        unless_same_as_last: bool = False,
    ) -> Upload:
        """Record a stored upload as the project's next round (safe under concurrency).

        With ``unless_same_as_last``, a file byte-identical to the project's latest round
        (a form sent twice) makes no new round: that round is returned instead.
        """
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(MAX(round), 0) FROM uploads WHERE project_id = ?", (project_id,)
            ).fetchone()
            if unless_same_as_last and row[0]:
                last = conn.execute(
                    "SELECT id, sha256 FROM uploads WHERE project_id = ? AND round = ?",
                    (project_id, int(row[0])),
                ).fetchone()
                if last is not None and last[1] == sha256:
                    return self.upload(str(last[0]))
            conn.execute(
                "INSERT INTO uploads (id, project_id, round, original_name, size, sha256, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (upload_id, project_id, int(row[0]) + 1, original_name, size, sha256, time.time()),
            )
        return self.upload(upload_id)

    def upload(self, upload_id: str) -> Upload:
        row = self._conn().execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
        if row is None:
            raise KeyError(upload_id)
        return Upload(**dict(row))

    def uploads(self, project_id: str) -> list[Upload]:
        rows = (
            self._conn()
            .execute("SELECT * FROM uploads WHERE project_id = ? ORDER BY round", (project_id,))
            .fetchall()
        )
        return [Upload(**dict(r)) for r in rows]

    def round_upload(self, project_id: str, round_no: int) -> Upload:
        row = (
            self._conn()
            .execute(
                "SELECT * FROM uploads WHERE project_id = ? AND round = ?", (project_id, round_no)
            )
            .fetchone()
        )
        if row is None:
            raise KeyError(f"{project_id}/{round_no}")
        return Upload(**dict(row))

    # ------------------------------------------------------------------ pending uploads
    def add_pending(
        self,
        *,
        upload_id: str,
        project_id: str,
        original_name: str,
        size: int,
        sha256: str,
        reason: str,
    ) -> PendingUpload:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO pending_uploads (id, project_id, original_name, size, sha256, reason,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (upload_id, project_id, original_name, size, sha256, reason, time.time()),
            )
        return self.pending(upload_id)

    def pending(self, upload_id: str) -> PendingUpload:
        row = (
            self._conn()
            .execute("SELECT * FROM pending_uploads WHERE id = ?", (upload_id,))
            .fetchone()
        )
        if row is None:
            raise KeyError(upload_id)
        return PendingUpload(**dict(row))

    def pending_uploads(self, project_id: str) -> list[PendingUpload]:
        rows = (
            self._conn()
            .execute(
                "SELECT * FROM pending_uploads WHERE project_id = ? ORDER BY created",
                (project_id,),
            )
            .fetchall()
        )
        return [PendingUpload(**dict(r)) for r in rows]

    def promote_pending(self, upload_id: str, *, mapping_yaml: str) -> Upload:
        """Save the project's mapping and make a pending upload the next round, at once."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM pending_uploads WHERE id = ?", (upload_id,)
            ).fetchone()
            if row is None:
                raise KeyError(upload_id)
            p = PendingUpload(**dict(row))
            conn.execute(
                "UPDATE projects SET mapping = ? WHERE id = ?", (mapping_yaml, p.project_id)
            )
            last = conn.execute(
                "SELECT COALESCE(MAX(round), 0) FROM uploads WHERE project_id = ?",
                (p.project_id,),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO uploads (id, project_id, round, original_name, size, sha256, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (p.id, p.project_id, int(last) + 1, p.original_name, p.size, p.sha256, time.time()),
            )
            conn.execute("DELETE FROM pending_uploads WHERE id = ?", (upload_id,))
        return self.upload(upload_id)

    def drop_pending(self, upload_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM pending_uploads WHERE id = ?", (upload_id,))
        self.upload_path(upload_id).unlink(missing_ok=True)

    # ------------------------------------------------------------------ jobs
    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        d = dict(row)
        d["failures"] = tuple(json.loads(d["failures"]))
        return Job(**d)

    def create_job(self, project_id: str, upload_id: str) -> Job:
        jid = new_id()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs (id, project_id, upload_id, status, created)"
                " VALUES (?, ?, ?, 'queued', ?)",
                (jid, project_id, upload_id, time.time()),
            )
        return self.job(jid)

    def job(self, job_id: str) -> Job:
        row = self._conn().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return self._job(row)

    def jobs_for(self, upload_id: str) -> list[Job]:
        rows = (
            self._conn()
            .execute("SELECT * FROM jobs WHERE upload_id = ? ORDER BY created DESC", (upload_id,))
            .fetchall()
        )
        return [self._job(r) for r in rows]

    def queued_jobs(self) -> list[Job]:
        rows = (
            self._conn()
            .execute("SELECT * FROM jobs WHERE status = 'queued' ORDER BY created")
            .fetchall()
        )
        return [self._job(r) for r in rows]

    def update_job(self, job_id: str, **fields: Any) -> None:
        allowed = {"status", "total", "done", "failures", "error", "finished"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
        if "failures" in fields:
            fields["failures"] = json.dumps(list(fields["failures"]), ensure_ascii=False)
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {cols} WHERE id = ?", (*fields.values(), job_id))

    def mark_interrupted(self) -> int:
        """At start: a job left queued or running by a stop is shown as interrupted."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE jobs SET status = 'interrupted' WHERE status IN ('queued', 'running')"
            )
            return int(cur.rowcount)

    # ------------------------------------------------------------------ sessions
    def add_session(self, token_hash: str, csrf: str, *, authenticated: bool, ttl: float) -> None:
        now = time.time()
        with self.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            conn.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                (token_hash, csrf, int(authenticated), now + ttl),
            )

    def session(self, token_hash: str) -> tuple[str, bool] | None:
        row = (
            self._conn()
            .execute(
                "SELECT csrf, authenticated, expires FROM sessions WHERE token_hash = ?",
                (token_hash,),
            )
            .fetchone()
        )
        if row is None or row["expires"] < time.time():
            return None
        return str(row["csrf"]), bool(row["authenticated"])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def file_mode_private(path: Path) -> None:
    """Owner-only permissions on a stored file (uploads hold personal answers)."""
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
