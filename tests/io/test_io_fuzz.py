"""A small, bounded mutation fuzzer over the platform fixtures (pure Python, fixed seed).

Every mutated export goes through the `ingest` command: the exit code is 0, 1 or 2, there
is never a traceback, a refusal (2) writes nothing, and the CSVs written (0 or 1) read
back with the csv module as the same table the library returned (same number of records,
every record with the header's number of fields, the same respondent ids).
"""

import csv
import io
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.errors import KemitraanError
from kemitraan_assess.io import ingest

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
EXPORTS = ROOT / "exports"
INSTRUMENTS = {"io": str(ROOT / "io-instrument.yaml"), "kr": "kemitraan-readiness"}
SEEDS = {
    "io": [
        "kobo_xml_values.csv",
        "surveymonkey.csv",
        "qualtrics_numeric.csv",
        "limesurvey_codes.csv",
        "excel_utf8_bom.csv",
        "google_forms_id.csv",
        "odk_central.csv",
        "kobo.xlsx",
    ],
    "kr": ["surveymonkey_matrix.csv", "kobo_formbuilder_xml.csv", "numbered_titles.csv"],
}
TOKENS = [
    b'"',
    b"\r",
    b"\n",
    b"\r\n",
    b",",
    b";",
    b"\t",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"=",
    b"'",
    b'""',
    b"\xe2\x80\x9c",
    b"9",
    b"-1",
    b"99999999999999999999",
    b"nan",
    b"\x1a",
]
PER_SEED = {"io": 20, "kr": 12}
GROUP_COL = {"surveymonkey_matrix.csv": "Which partnership are you rating?"}


def workbook_seed() -> bytes:
    """The Kobo fixture saved as a workbook (what an .xlsx download holds)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in csv.reader(
        io.StringIO(seed_bytes("kobo_xml_values.csv").decode("utf-8")), delimiter=";"
    ):
        ws.append([int(c) if c.isdigit() and len(c) < 3 else c for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def seed_bytes(name: str) -> bytes:
    if name == "kobo.xlsx":
        return workbook_seed()
    data = (EXPORTS / name).read_bytes()
    lines = data.splitlines(keepends=True)
    while lines and lines[0].startswith(b"#"):  # the note citing the source
        lines.pop(0)
    return b"".join(lines)


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip a byte
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:  # insert a token that means something to a CSV reader
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2:  # delete a span
            del buf[pos : pos + rng.randint(1, 40)]
        elif op == 3:  # duplicate a span (repeated records, doubled quotes)
            span = bytes(buf[pos : pos + rng.randint(1, 200)])
            buf[pos:pos] = span
        elif op == 4:  # truncate
            del buf[pos:]
        else:  # replace a span by a token
            buf[pos : pos + rng.randint(1, 8)] = rng.choice(TOKENS)
    return bytes(buf)


def read_back(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def cases():
    for inst, names in SEEDS.items():
        for name in names:
            yield pytest.param(inst, name, id=f"{name}")


@pytest.mark.parametrize(("inst", "name"), list(cases()))
def test_mutated_exports_are_read_or_refused_cleanly(tmp_path, inst, name):
    rng = random.Random(f"kemitraan-fuzz-{name}")
    seed = seed_bytes(name)
    runner = CliRunner()
    codes = []
    for k in range(PER_SEED[inst]):
        data = mutate(seed, rng)
        src = tmp_path / f"m{k}{Path(name).suffix}"
        src.write_bytes(data)
        out = tmp_path / f"out{k}"
        extra = ["--group-col", GROUP_COL[name]] if name in GROUP_COL else []
        res = runner.invoke(
            cli, ["ingest", str(src), "-i", INSTRUMENTS[inst], "--out", str(out), "-q", *extra]
        )
        case = f"{name} mutation {k}: {data[:120]!r}..."
        assert res.exit_code in (0, 1, 2), case
        assert res.exception is None or isinstance(res.exception, SystemExit), (case, res.exception)
        assert "Traceback" not in res.output, case
        codes.append(res.exit_code)
        if res.exit_code == 2:
            assert not out.exists(), case
            assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1, (
                case,
                res.stderr,
            )
            continue
        try:
            lib = ingest(src, INSTRUMENTS[inst], group_col=GROUP_COL.get(name))
        except KemitraanError:  # pragma: no cover - the CLI read it, so must the library
            pytest.fail(case)
        for table, frame in (
            ("responses.csv", lib.responses),
            ("rejected.csv", lib.rejected),
            ("cell_issues.csv", lib.cell_issues),
        ):
            rows = read_back(out / table)
            assert rows[0] == [str(c) for c in frame.columns], (case, table)
            assert len(rows) - 1 == len(frame), (case, table, len(rows) - 1, len(frame))
            assert all(len(r) == len(rows[0]) for r in rows), (case, table)
        ids = [r[0] for r in read_back(out / "responses.csv")[1:]]
        expected = [
            ("'" + i if i[:1] in ("=", "+", "-", "@", "\t", "\r") else i)
            for i in lib.responses["respondent_id"]
        ]
        assert ids == expected, case
    # the mutations reach past the reader: some files are still read
    assert any(c in (0, 1) for c in codes), codes
