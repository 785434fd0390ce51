"""The command line's one place for errors (connectors/cli/app.py): a command raises
`CommandError` and gets its message and exit code, as JSON under --json; anything else is a
bug, said in one line, never a traceback unless RCEP_ORIGIN_DEBUG asks for it. The entry
point of setup.cfg and `python -m connectors.cli` both run it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.cli import goods, main
from connectors.cli.errors import CommandError
from connectors.cli.status import Exit
from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parents[1]
CTC_SAMPLE = data_path("samples", "01_switchgear_contact_carrier_ctc.json")


@pytest.fixture(autouse=True)
def user_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(tmp_path / "psr_user.csv"))


@pytest.fixture
def cli(capsys):
    def run(*args):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def refusing(args):
    raise CommandError(
        "GOODS_REFUSED", "the goods are refused", "Do it again.", "good.bom[2]", exit_code=Exit.NO
    )


def test_a_command_error_is_its_message_and_its_exit_code(cli, monkeypatch):
    monkeypatch.setattr(goods, "evaluate", refusing)

    code, out, err = cli("evaluate", CTC_SAMPLE)

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "GOODS_REFUSED at good.bom[2]: the goods are refused",
        "Do it again.",
    ]


def test_under_json_a_command_error_is_a_json_error_on_stdout(cli, monkeypatch):
    monkeypatch.setattr(goods, "evaluate", refusing)

    code, out, _ = cli("evaluate", "--json", CTC_SAMPLE)

    assert code == 1
    assert json.loads(out) == {
        "error": {
            "code": "GOODS_REFUSED",
            "path": "good.bom[2]",
            "message": "the goods are refused",
            "hint": "Do it again.",
        }
    }


def test_an_unexpected_error_is_one_line_naming_it_a_bug(cli, monkeypatch):
    def broken(args):
        raise KeyError("criterion")

    monkeypatch.setattr(goods, "evaluate", broken)

    code, _, err = cli("evaluate", CTC_SAMPLE)

    assert code == 2
    [line] = err.splitlines()
    assert "unexpected error KeyError" in line and "this is a bug" in line
    assert "Traceback" not in err

    monkeypatch.setenv("RCEP_ORIGIN_DEBUG", "1")
    code, _, err = cli("evaluate", CTC_SAMPLE)
    assert code == 2
    assert "Traceback" in err and "KeyError" in err


def run_command(command, tmp_path):
    env = dict(os.environ, RCEP_ORIGIN_RULES=str(tmp_path / "psr_user.csv"))
    return subprocess.run(
        [*command, "evaluate", str(CTC_SAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_python_m_connectors_cli_runs_the_command(tmp_path):
    done = run_command([sys.executable, "-m", "connectors.cli"], tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ORIGINATING, criterion CTC")


def test_the_installed_rcep_origin_entry_point_runs_the_command(tmp_path):
    script = shutil.which("rcep-origin", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("rcep-origin is not installed beside this Python")

    done = run_command([script], tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ORIGINATING, criterion CTC")
