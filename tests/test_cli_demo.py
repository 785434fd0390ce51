"""`rcep-origin demo`: each originating sample is declared to a buyer in its own importing
Party in its own unit, the bundled shipment's declaration is rejected when it claims CTC for
the base station, and the working folder (it holds the mock service's private signing key) is
removed unless --keep names one. `certificates` lists the ledger under a header row with the
goods and the importer of each declaration."""

import io
import json
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from connectors.cli import main
from connectors.declaration import from_xml
from connectors.ledger import Ledger
from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = data_path("samples")


@pytest.fixture(autouse=True)
def private_temp(tmp_path, monkeypatch):
    """Temporary folders of this test go under tmp_path/tmp, to be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(tmp_path / "psr_user.csv"))
    monkeypatch.setenv("RCEP_ORIGIN_LEDGER", str(tmp_path / "user-ledger.sqlite3"))
    return folder


@pytest.fixture
def cli(capsys):
    def run(*args):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """One demo run kept in a folder: (exit code, its JSON report, the folder)."""
    folder = tmp_path_factory.mktemp("demo-kept")
    code = None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RCEP_ORIGIN_RULES", str(folder / "psr_user.csv"))
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = main(["demo", "--keep", str(folder / "work"), "--json"])
    return code, json.loads(buffer.getvalue()), folder / "work"


def declarations(folder: Path) -> dict:
    """The declarations in the demo's ledger, by the code of their only (or first) good."""
    ledger = Ledger(folder / "ledger.sqlite3")
    found = {}
    for entry in ledger.entries():
        declaration = from_xml(ledger.declaration(entry.idempotency_key))
        found.setdefault(declaration.items[0].evidence.item_code, []).append(declaration)
    ledger.close()
    return found


def test_each_originating_good_goes_to_its_own_importer_in_its_own_unit(kept):
    code, report, folder = kept
    assert code == 0
    goods_files = {
        r["good"]: json.loads((SAMPLES / r["file"]).read_text()) for r in report["goods"]
    }
    by_good = declarations(folder)
    issued = [r for r in report["goods"] if r["certificate"]]
    assert len(issued) == 6
    for row in issued:
        [declaration] = [d for d in by_good[row["good"]] if len(d.items) == 1]
        party = goods_files[row["good"]]["importing_party"]
        assert declaration.importer.country == party, row["good"]
        assert row["importer"].endswith(f"({party})")
    base_station = next(d for d in by_good["BTS-5G-32"] if len(d.items) == 1)
    assert (base_station.importer.country, base_station.items[0].unit) == ("TH", "SET")
    assert base_station.items[0].quantity == 2
    assert next(r for r in issued if r["good"] == "BTS-5G-32")["quantity"] == "2 SET"
    assert by_good["SWC-630"][0].items[0].unit == "PCE"


def test_the_bundled_shipments_declaration_claiming_ctc_for_the_base_station_is_rejected(kept):
    _, report, folder = kept
    assert report["rejection"]["reasons"][0]["code"] == "CRITERION_NOT_MET"
    [shipment] = [d for ds in declarations(folder).values() for d in ds if len(d.items) == 3]
    bundled = json.loads(data_path("shipments", "hcmc_switchgear_and_phones.json").read_text())
    assert shipment.importer.name == bundled["importer"]["name"]
    assert [i.evidence.item_code for i in shipment.items] == ["SWC-630", "BTS-5G-32", "MGT-1000"]
    assert shipment.items[1].criterion == "CTC"


def test_a_kept_demo_keeps_its_certificates_and_says_where(kept):
    _, report, folder = kept
    assert report["workdir"] == str(folder)
    numbers = [r["certificate"] for r in report["goods"] if r["certificate"]]
    assert {p.name for p in folder.glob("*.xml")} == {f"{n}.xml" for n in numbers}
    assert {p.name for p in folder.glob("*.pdf")} == {f"{n}.pdf" for n in numbers}


def test_the_demo_removes_its_temporary_folder_with_the_signing_key(cli, private_temp):
    code, out, _ = cli("demo")

    assert code == 0
    assert list(private_temp.iterdir()) == []
    assert "now removed; give --keep DIR to keep them" in out

    code, out, _ = cli("demo", "--json")
    assert json.loads(out)["workdir"] is None
    assert list(private_temp.iterdir()) == []


def test_the_demo_command_leaves_nothing_in_the_temporary_folder(tmp_path, private_temp):
    env = {
        "TMPDIR": str(private_temp),
        "RCEP_ORIGIN_RULES": str(tmp_path / "psr_user.csv"),
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
    }

    done = subprocess.run(
        [sys.executable, "-m", "connectors.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr
    assert list(private_temp.iterdir()) == []


def test_certificates_has_a_header_row_and_shows_goods_and_importer(cli, kept):
    _, _, folder = kept

    code, out, _ = cli("certificates", "--ledger", folder / "ledger.sqlite3")

    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == [
        "state",
        "certificate",
        "reference",
        "issued",
        "at",
        "goods",
        "importer",
        "attempts",
        "key",
    ]
    base_station = next(r for r in rows if "BTS-5G-32" in r and "SWC-630" not in r)
    assert base_station.startswith("issued")
    assert "Siam Telecom Infrastructure Co., Ltd. (TH)" in base_station
    rejected = next(r for r in rows if r.startswith("rejected"))
    assert "SWC-630, BTS-5G-32, MGT-1000" in rejected

    code, out, _ = cli("certificates", "--ledger", folder / "ledger.sqlite3", "--json")
    entries = json.loads(out)
    assert {"goods", "importer"} <= set(entries[0])
