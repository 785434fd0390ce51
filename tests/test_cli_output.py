"""A script reads `rcep-origin`'s output: from a pipe or a file, not a terminal (issue 13,
"Machine output at machine speed").

Every test runs the real command in a child process, its output a pipe, as a script sees it:
JSON is one good per line and whole, text is never cut at 80 columns nor broken inside a code
or a path, each error is said once, one warning repeated for many sub-assemblies is one line
with a count, text such as `[cut off]` is shown as written, and a reader that stops early
(`| head -1`) does not change the exit code.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import bought, made, make_good, shipment

from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = data_path("samples")
CTC_SAMPLE = SAMPLES / "01_switchgear_contact_carrier_ctc.json"
MINIMAL_SAMPLE = SAMPLES / "06_busbar_parts_minimal_operations.json"
NO_RULE_SAMPLE = SAMPLES / "10_cnc_spindle_housing_psr_not_found.json"


@pytest.fixture
def rcep(tmp_path):
    """Run `rcep-origin ARGS` in a child process whose stdout is a pipe."""
    env = {"RCEP_ORIGIN_RULES": str(tmp_path / "psr_user.csv"), "PATH": "/usr/bin:/bin"}

    def run(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "-m", "connectors.cli", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            **kwargs,
        )

    run.env = env
    return run


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def switchgear_part_with_sub_assemblies(count: int) -> dict:
    """An 8538.90 part made of ``count`` in-house 8538.90 sub-assemblies: each is judged under
    the HS2012 rule of 85.38 through the correlation, so each has its PSR_TRANSPOSED."""
    subs = [made("8538.90", [bought("7407.21", "1.00", origin="DE")]) for _ in range(count)]
    return shipment(make_good("8538.90", fob="100.00", bom=subs))


# --- JSON ----------------------------------------------------------------------------------------


def test_evaluate_json_for_a_script_is_one_good_per_line_and_the_same_as_on_a_terminal(
    rcep, tmp_path
):
    goods = [json.loads(CTC_SAMPLE.read_text()), json.loads(MINIMAL_SAMPLE.read_text())]
    path = write(tmp_path / "two.json", goods)

    done = rcep("evaluate", "--json", path)

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    first, second = (json.loads(line.rstrip(",")) for line in lines[1:-1])
    assert (first["good"]["code"], first["originating"]) == ("SWC-630", True)
    assert (second["good"]["code"], second["originating"]) == ("BB-KIT-400", False)
    assert json.loads(done.stdout) == [first, second]


def test_evaluate_json_of_one_good_is_that_good_with_every_material(rcep):
    done = rcep("evaluate", "--json", CTC_SAMPLE)

    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert result["file"] == str(CTC_SAMPLE)
    assert [m["path"] for m in result["materials"]][:2] == ["good.bom[0]", "good.bom[0].bom[0]"]


def test_a_long_bom_is_written_whole_as_json(rcep, tmp_path):
    """The materials go out in slices; none is lost or doubled at a slice's edge."""
    lines = [bought("7407.21", "0.01", origin="DE", code=f"P-{i}") for i in range(1234)]
    path = write(tmp_path / "long.json", shipment(make_good("8538.90", fob="50.00", bom=lines)))

    done = rcep("evaluate", "--json", path)

    codes = [m["code"] for m in json.loads(done.stdout)["materials"]]
    assert codes == [f"P-{i}" for i in range(1234)]


def test_review_json_of_several_files_lists_each_file(rcep):
    done = rcep("review", "--json", CTC_SAMPLE, NO_RULE_SAMPLE)

    assert done.returncode == 2
    assert [r["file"] for r in json.loads(done.stdout)] == [str(CTC_SAMPLE), str(NO_RULE_SAMPLE)]


# --- text that is not cut -------------------------------------------------------------------------


def test_review_into_a_pipe_gives_one_line_per_issue_with_nothing_cut(rcep):
    done = rcep("review", MINIMAL_SAMPLE)

    assert done.returncode == 0
    proof_line = next(line for line in done.stdout.splitlines() if "ORIGIN_PROOF_MISSING" in line)
    assert "good.bom[3]" in proof_line
    assert "material BAG comes from CN" in proof_line
    assert "add it at good.bom[3].proof." in proof_line  # the hint, on the same line
    assert "product-specific rule says" in done.stdout  # not "product-specifi" / "c rule"
    assert "│" not in done.stdout and "┃" not in done.stdout


def test_several_goods_into_a_pipe_are_one_line_each(rcep):
    done = rcep("evaluate", CTC_SAMPLE, MINIMAL_SAMPLE, NO_RULE_SAMPLE)

    assert done.returncode == 2
    rows = done.stdout.splitlines()
    assert rows[0].split() == ["verdict", "good", "HS", "rule", "RVC", "%", "issues", "file"]
    by_good = {row.split("  ")[1].strip(): row for row in rows[1:] if row.strip()}
    assert len(rows) == 4
    assert CTC_SAMPLE.name in next(r for r in rows if "SWC-630" in r)
    assert "PROCESS_MINIMAL" in next(r for r in rows if "BB-KIT-400" in r)
    assert "NOT EVALUATED" in next(r for r in rows if "SPH-BT40" in r)
    assert by_good  # every row has its good in the second column


def test_an_error_that_stops_the_evaluation_is_said_once(rcep):
    done = rcep("evaluate", NO_RULE_SAMPLE)

    assert done.returncode == 2
    assert done.stdout.count("PSR_NOT_FOUND") == 1
    assert done.stdout.count("rcep-origin psr import") == 1


def test_the_same_warning_for_many_sub_assemblies_is_one_line_with_a_count(rcep, tmp_path):
    path = write(tmp_path / "subs.json", switchgear_part_with_sub_assemblies(12))

    review = rcep("review", path)
    evaluation = rcep("evaluate", path)

    [line] = [line for line in review.stdout.splitlines() if "PSR_TRANSPOSED" in line]
    assert "and 12 more" in line  # the good's own, and its 12 sub-assemblies'
    [line] = [line for line in evaluation.stdout.splitlines() if "PSR_TRANSPOSED" in line]
    assert "13 times" in line
    assert len(json.loads(rcep("review", "--json", path).stdout)["issues"]) >= 13  # all kept


def test_a_rule_text_with_brackets_is_shown_as_written(rcep):
    done = rcep("psr", "show", "8522.90")

    assert done.returncode == 0
    assert "CTH or [cut off]" in done.stdout


def test_a_file_name_with_brackets_is_shown_as_written(rcep, tmp_path):
    missing = tmp_path / "order [bold]2026[/].json"

    done = rcep("evaluate", missing)

    assert done.returncode == 2
    assert "order [bold]2026[/].json" in done.stderr


# --- a reader that stops early --------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_reader_that_stops_after_one_line_does_not_change_the_exit_code(rcep, tmp_path, as_json):
    """`rcep-origin evaluate FILE | head -1`: the documented code, not 120 or a traceback."""
    lines = [bought("7407.21", "0.01", origin="DE", code=f"LONG-MATERIAL-{i}") for i in range(3000)]
    good = make_good("8538.90", fob="100.00", bom=lines, processes=["cutting"])  # minimal
    path = write(tmp_path / "minimal.json", shipment(good))
    args = ["evaluate", *(["--json"] if as_json else []), path]
    expected = rcep(*args).returncode
    assert expected == 1  # not originating: only minimal operations

    child = subprocess.Popen(
        [sys.executable, "-m", "connectors.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=rcep.env,
        cwd=ROOT,
    )
    child.stdout.readline()
    child.stdout.close()  # what head does after its line
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == expected
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


# --- on a terminal -------------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch, capsys, tmp_path):
    """`rcep-origin` in-process, its output a terminal of the given width."""
    from connectors.cli import main, out

    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(tmp_path / "psr_user.csv"))

    def run(width, *args):
        monkeypatch.setattr(out, "_force_terminal", True)
        monkeypatch.setattr(out, "_width", width)
        code = main([str(a) for a in args])
        return code, capsys.readouterr().out

    return run


def plain(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("width", [80, 160])
def test_on_a_terminal_no_word_of_a_message_or_hint_is_broken(terminal, width):
    code, out = terminal(width, "review", MINIMAL_SAMPLE)

    assert code == 0
    words = set(plain(out).split())
    for word in (
        "good.processes,",
        "product-specific",
        "good.bom[3].proof.",
        "ORIGIN_PROOF_MISSING",
    ):
        assert word in words, (width, word)
    assert ("┃" in out) == (width == 160)  # a table where it fits, else one block per issue
