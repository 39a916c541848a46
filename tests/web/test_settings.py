"""Project settings after creation: same checks as creation, CSRF, nothing changed on bad
input, the instrument fixed once a round exists, reports marked as predating a change."""

from __future__ import annotations

import time

import httpx
import yaml

from .exports import csrf_of, export_needing_mapping


def _project(c: httpx.Client) -> tuple[str, str]:
    csrf = csrf_of(c.get("/").text)
    r = c.post(
        "/projects",
        data={
            "csrf": csrf,
            "name": "Old name",
            "lang": "en",
            "min_group_size": "5",
            "instrument": "bundled:kemitraan-readiness",
            "organisation": "Dinkes",
        },
        files={"logo": ("", b"")},
    )
    return str(r.url).rsplit("/", 1)[1], csrf


def _form(csrf: str, **kw: str) -> dict[str, str]:
    base = {
        "csrf": csrf,
        "name": "New name",
        "lang": "id",
        "min_group_size": "7",
        "organisation": "Dinas Kesehatan",
        "primary_color": "#0b5d7a",
        "footer": "Rahasia",
    }
    return {**base, **kw}


def test_settings_change_with_the_checks_of_creation(live_app) -> None:
    app = live_app()
    store = app.app.state.web.store
    with app.client() as c:
        pid, csrf = _project(c)
        page = c.get(f"/p/{pid}/settings")
        assert page.status_code == 200 and 'value="Old name"' in page.text
        assert "The instrument can still change" in page.text
        before = store.project(pid)
        for bad, says in (
            ({"name": " "}, "Give the project a name"),
            ({"min_group_size": "2"}, "at least 3"),
            ({"primary_color": "red"}, "is not of the form"),
            ({"lang": "fr"}, "Choose the report language"),
        ):
            r = c.post(f"/p/{pid}/settings", data=_form(csrf, **bad), files={"logo": ("", b"")})
            assert r.status_code == 400 and says in r.text, bad
            assert "the project is unchanged" in r.text
            assert store.project(pid) == before
        evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        r = c.post(f"/p/{pid}/settings", data=_form(csrf), files={"logo": ("l.svg", evil)})
        assert r.status_code == 400 and "SVG logo contains" in r.text
        assert store.project(pid) == before
        r = c.post(f"/p/{pid}/settings", data=_form("forged"), files={"logo": ("", b"")})
        assert r.status_code == 403 and store.project(pid) == before

        r = c.post(f"/p/{pid}/settings", data=_form(csrf), files={"logo": ("", b"")})
        assert r.status_code == 200 and "The settings are saved" in r.text
        after = store.project(pid)
        assert (after.name, after.lang, after.min_group_size, after.footer) == (
            "New name",
            "id",
            7,
            "Rahasia",
        )
        assert after.settings_changed > before.settings_changed
        brand = yaml.safe_load((store.project_dir(pid) / "brand.yaml").read_text())
        assert brand == {
            "organisation": "Dinas Kesehatan",
            "primary_color": "#0b5d7a",
            "footer": "Rahasia",
        }
        # the instrument may change while there is no round
        r = c.post(
            f"/p/{pid}/settings",
            data=_form(csrf, instrument="bundled:nope"),
            files={"logo": ("", b"")},
        )
        assert r.status_code == 400 and store.project(pid) == after


def test_instrument_fixed_with_rounds_and_old_reports_marked(live_app) -> None:
    app = live_app()
    store = app.app.state.web.store
    with app.client() as c:
        pid, csrf = _project(c)
        c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("a.csv", export_needing_mapping(seed=11))},
        )
        page = c.get(f"/p/{pid}/settings").text
        assert "cannot change once the project has a round" in page
        assert 'name="instrument"' not in page and 'name="instrument_file"' not in page
        r = c.post(f"/p/{pid}/r/1/jobs", data={"csrf": csrf})
        jid = str(r.url).rsplit("/", 1)[1]
        end = time.monotonic() + 300
        while store.job(jid).status != "done" and time.monotonic() < end:
            time.sleep(0.5)
        assert store.job(jid).status == "done"
        assert "predates" not in c.get(f"/jobs/{jid}").text
        made = sorted(p.read_bytes() for p in store.report_dir(jid).iterdir() if p.is_file())
        # a forged instrument change is ignored: rounds keep their instrument
        r = c.post(
            f"/p/{pid}/settings",
            data=_form(csrf, lang="en", instrument="bundled:other"),
            files={"instrument_file": ("x.yaml", b"id: x")},
        )
        assert r.status_code == 200 and store.project(pid).instrument == (
            "bundled:kemitraan-readiness"
        )
        job_page = c.get(f"/jobs/{jid}").text
        assert 'id="predates"' in job_page and "Make the reports again" in job_page
        # the reports made before stay as they were
        assert (
            sorted(p.read_bytes() for p in store.report_dir(jid).iterdir() if p.is_file()) == made
        )
        r = c.post(f"/p/{pid}/r/1/jobs", data={"csrf": csrf})
        assert str(r.url).rsplit("/", 1)[1] != jid


def test_the_logo_is_replaced_and_removed(live_app) -> None:
    app = live_app()
    store = app.app.state.web.store
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with app.client() as c:
        pid, csrf = _project(c)
        folder = store.project_dir(pid)
        r = c.post(f"/p/{pid}/settings", data=_form(csrf), files={"logo": ("mine.png", png)})
        assert r.status_code == 200 and store.project(pid).logo == "logo.png"
        assert (folder / "logo.png").read_bytes() == png
        assert yaml.safe_load((folder / "brand.yaml").read_text())["logo"] == "logo.png"
        assert "Remove the logo" in r.text
        # saved again without a new file: the logo stays
        c.post(f"/p/{pid}/settings", data=_form(csrf, footer="x"), files={"logo": ("", b"")})
        assert store.project(pid).logo == "logo.png" and (folder / "logo.png").is_file()
        r = c.post(
            f"/p/{pid}/settings", data=_form(csrf, remove_logo="1"), files={"logo": ("", b"")}
        )
        assert r.status_code == 200 and store.project(pid).logo == ""
        assert not (folder / "logo.png").exists()
        assert "logo" not in yaml.safe_load((folder / "brand.yaml").read_text())
        big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 10)
        r = c.post(f"/p/{pid}/settings", data=_form(csrf), files={"logo": ("big.png", big)})
        assert r.status_code == 413 and store.project(pid).logo == ""
