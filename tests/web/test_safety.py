"""Safety of the web app: CSRF on every form, the password gate, limits, hostile input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.web.security import check_password, hash_password, is_loopback

from .exports import csrf_of, export_needing_mapping

BUNDLED = "bundled:kemitraan-readiness"


def _project(client: httpx.Client, name: str = "Program") -> tuple[str, str]:
    csrf = csrf_of(client.get("/").text)
    r = client.post(
        "/projects",
        data={
            "csrf": csrf,
            "name": name,
            "instrument": BUNDLED,
            "lang": "en",
            "min_group_size": "5",
        },
        files={"logo": ("", b"")},
    )
    assert r.status_code == 200, r.text
    return str(r.url).rsplit("/", 1)[1], csrf


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    live_app, tmp_path: Path
) -> None:
    app = live_app()
    with app.client() as c:
        c.get("/")
        r = c.post(
            "/projects",
            data={"name": "Forged", "instrument": BUNDLED, "lang": "en", "min_group_size": "5"},
            files={"logo": ("", b"")},
        )
        assert r.status_code == 403
        assert "expired" in r.text
        r = c.post(
            "/projects",
            data={
                "csrf": "wrong",
                "name": "Forged",
                "instrument": BUNDLED,
                "lang": "en",
                "min_group_size": "5",
            },
            files={"logo": ("", b"")},
        )
        assert r.status_code == 403
        pid, csrf = _project(c)
        r = c.post(f"/p/{pid}/upload", files={"export": ("a.csv", export_needing_mapping())})
        assert r.status_code == 403
    assert [p.name for p in app.app.state.web.store.projects()] == ["Program"]
    assert app.app.state.web.store.uploads(pid) == []


def test_another_site_cannot_use_the_token_of_another_session(live_app) -> None:
    app = live_app()
    with app.client() as a, app.client() as b:
        token_a = csrf_of(a.get("/").text)
        b.get("/")
        r = b.post(
            "/projects",
            data={
                "csrf": token_a,
                "name": "X",
                "instrument": BUNDLED,
                "lang": "en",
                "min_group_size": "5",
            },
            files={"logo": ("", b"")},
        )
        assert r.status_code == 403


def test_password_gate(live_app) -> None:
    app = live_app(host="0.0.0.0", password_hash=hash_password("kata-sandi-rahasia"))
    with app.client() as c:
        r = c.get("/")
        assert r.url.path == "/login"
        assert 'type="password"' in r.text
        csrf = csrf_of(r.text)
        r = c.post("/login?next=/", data={"csrf": csrf, "password": "salah"})
        assert r.status_code == 401
        assert "Wrong password" in r.text or "Kata sandi salah" in r.text
        r = c.get(f"/p/{'0' * 32}")
        assert r.url.path == "/login"  # nothing behind the gate without signing in
        r = c.post("/login?next=/", data={"csrf": csrf, "password": "kata-sandi-rahasia"})
        assert r.status_code == 200 and r.url.path == "/"
        assert "New project" in r.text or "Proyek baru" in r.text
        cookie = c.cookies.get("ka_session")
        assert (
            cookie
            and app.app.state.web.store.session(hashlib.sha256(cookie.encode()).hexdigest())[1]
        )
    db = (app.app.state.web.store.db_path).read_bytes()
    assert b"kata-sandi-rahasia" not in db


def test_password_hash_round_trip() -> None:
    h = hash_password("a long password")
    assert h.startswith("scrypt$") and "a long password" not in h
    assert check_password("a long password", h)
    assert not check_password("a long passwore", h)
    assert hash_password("x") != hash_password("x")  # salted


def test_loopback_only_by_default_and_other_hosts_need_a_password(tmp_path: Path) -> None:
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("localhost")
        and is_loopback("::1")
        and is_loopback("127.3.4.5")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    res = CliRunner().invoke(
        cli,
        ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "d")],
        env={"KEMITRAAN_ASSESS_PASSWORD": ""},
    )
    assert res.exit_code == 2
    assert "KEMITRAAN_ASSESS_PASSWORD" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(
        cli,
        ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "d")],
        env={"KEMITRAAN_ASSESS_PASSWORD": "short"},
    )
    assert res.exit_code == 2 and "at least 8 characters" in res.output


def test_a_foreign_host_header_is_refused_on_loopback(live_app) -> None:
    app = live_app()
    with app.client() as c:
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding
        assert c.get("/").status_code == 200


def test_upload_size_limit_has_a_clear_message_and_keeps_nothing(live_app) -> None:
    app = live_app(max_upload_bytes=20_000)
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("big.csv", b"a,b\n" + b"1,2\n" * 20_000)},
        )
        assert r.status_code == 413
        assert "0.0190735 MB" in r.text or "MB" in r.text
        assert "--max-upload-mb" in r.text
    store = app.app.state.web.store
    assert store.uploads(pid) == []
    assert list((store.root / "files").iterdir()) == [] and list(store.tmp_dir().iterdir()) == []


def test_row_limit_has_a_clear_message_and_keeps_nothing(live_app) -> None:
    app = live_app(max_rows=10)
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("survey.csv", export_needing_mapping())},
        )
        assert r.status_code == 400
        assert "survey.csv: 41 rows, more than the 10 this server accepts" in r.text
        assert "--max-rows" in r.text
    store = app.app.state.web.store
    assert store.uploads(pid) == [] and list((store.root / "files").iterdir()) == []


def test_bad_input_shows_the_cli_error_and_leaves_the_project_unchanged(
    live_app, tmp_path: Path
) -> None:
    """The page shows the error the command line gives (its code, in the page's language)."""
    import pytest

    from kemitraan_assess.errors import DataError
    from kemitraan_assess.io import ingest
    from kemitraan_assess.web._http import web_catalogue
    from kemitraan_assess.web.messages import explain

    bad = b"\x00\x01\x02PK binary"
    survey = tmp_path / "rusak.csv"
    survey.write_bytes(bad)
    cli_res = CliRunner().invoke(cli, ["ingest", str(survey), "--out", str(tmp_path / "o")])
    assert cli_res.exit_code == 2 and "binary data, not a CSV export" in cli_res.output
    with pytest.raises(DataError) as info:
        ingest(survey, "kemitraan-readiness")
    assert info.value.code == "data.binary"
    cli_line = explain(info.value, web_catalogue("en"), rename={str(survey): "rusak.csv"})
    assert cli_line.startswith("rusak.csv: this is not a CSV export (binary data). Upload")
    app = live_app()
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("rusak.csv", bad)})
        assert r.status_code == 400
        import html

        assert html.escape(cli_line, quote=True) in r.text
        assert str(app.app.state.web.store.root) not in r.text  # never where the server keeps files
        assert f'<p class="error" role="alert">{html.escape(cli_line, quote=True)}</p>' in r.text
    store = app.app.state.web.store
    assert store.uploads(pid) == [] and list((store.root / "files").iterdir()) == []


def test_hostile_names_are_escaped_and_never_paths(live_app) -> None:
    app = live_app()
    hostile = '../../etc/<img src=x onerror=alert(1)>"; rm -rf.csv'
    data = export_needing_mapping().replace(b"Aliansi Gizi", b"<script>alert('p')</script> Gizi")
    with app.client() as c:
        pid, csrf = _project(c, name="<b onmouseover=alert(1)>Proyek</b>")
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": (hostile, data)})
        assert r.status_code == 200, r.text
        assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text
        assert "<b onmouseover" not in r.text
        res = c.get(f"/p/{pid}/r/1/results")
        assert "<script>alert(" not in res.text and "&lt;script&gt;alert(" in res.text
    store = app.app.state.web.store
    up = store.uploads(pid)[0]
    assert up.original_name.startswith(
        "<img src=x onerror=alert(1)>"
    )  # the last part only, as text
    assert "/" not in up.original_name and ".." not in up.original_name
    assert [p.name for p in (store.root / "files").iterdir()] == [f"{up.id}.bin"]
    assert (store.root / "files" / f"{up.id}.bin").read_bytes() == data
    assert up.sha256 == hashlib.sha256(data).hexdigest()
    assert not list(store.root.parent.glob("etc"))
