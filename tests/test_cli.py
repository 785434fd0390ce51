"""An export clerk uses the `rcep-origin` command on goods files and product-specific rules.

Exit codes (DESIGN.md "The evaluation"): `evaluate` 0 originating, 1 not originating, 2 could
not be evaluated; `review` 0 no errors, 2 errors; `psr import` 0 imported, 1 conflicts left
out, 2 file refused. Every test points RCEP_ORIGIN_RULES at a temporary file, so the user's
own rules file is never read or written.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.cli import main
from rcep_rules.datafiles import data_path

SAMPLES = data_path("samples")
CTC_SAMPLE = SAMPLES / "01_switchgear_contact_carrier_ctc.json"
MINIMAL_SAMPLE = SAMPLES / "06_busbar_parts_minimal_operations.json"
NO_RULE_SAMPLE = SAMPLES / "10_cnc_spindle_housing_psr_not_found.json"

HEADER = "hs_version,level,code,description,psr,legibility,source_url,locator"
SPINDLE_RULE = (
    "HS2012,subheading,8466.93,Parts and accessories for machine tools of 84.56 to 84.61,"
    "CTH or RVC40,clear,https://example.org/annex-3a.pdf,p.170"
)


@pytest.fixture(autouse=True)
def user_rules(tmp_path, monkeypatch):
    """The default user rules file lives in a temporary folder for every test."""
    path = tmp_path / "user" / "psr_user.csv"
    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(path))
    return path


@pytest.fixture
def cli(capsys):
    """Run `rcep-origin ARGS` in-process: (exit code, stdout, stderr)."""

    def run(*args):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def run_script(*args, env_rules):
    """Run the real command in a child process, to see exactly what a user would see."""
    env = {"RCEP_ORIGIN_RULES": str(env_rules), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "connectors.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
        timeout=120,
    )


def csv_file(path, *rows):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def goods_file(path, content):
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluating_the_switchgear_part_says_originating_by_ctc_and_exits_0(cli):
    code, out, _ = cli("evaluate", CTC_SAMPLE)

    assert code == 0
    assert out.startswith("ORIGINATING, criterion CTC")
    assert "CTH or RVC40" in out
    assert "80.62 %" in out  # build-down (48.00 - 9.30) / 48.00


def test_evaluating_the_busbar_kit_cut_and_packed_only_says_not_originating_and_exits_1(cli):
    code, out, _ = cli("evaluate", MINIMAL_SAMPLE)

    assert code == 1
    assert out.startswith("NOT ORIGINATING")
    assert "PROCESS_MINIMAL" in out


def test_evaluating_the_spindle_housing_without_a_rule_is_not_evaluated_and_exits_2(cli):
    code, out, _ = cli("evaluate", NO_RULE_SAMPLE)

    assert code == 2
    assert out.startswith("NOT EVALUATED")
    assert "PSR_NOT_FOUND" in out
    assert "rcep-origin psr import" in out


def test_evaluate_json_gives_the_stable_keys_of_the_design(cli):
    code, out, _ = cli("evaluate", "--json", CTC_SAMPLE)

    assert code == 0
    result = json.loads(out)
    assert {
        "originating",
        "criterion",
        "satisfied",
        "annotations",
        "rule",
        "rvc",
        "materials",
        "issues",
        "explanation",
    } <= set(result)
    assert result["originating"] is True
    assert result["criterion"] == "CTC"
    assert result["satisfied"] == ["CTC", "RVC"]
    assert result["annotations"] == []
    assert result["rule"]["hs"] == "853890"
    assert result["rule"]["text"] == "CTH or RVC40"
    assert result["rule"]["source"].startswith("http")
    assert result["rvc"] == {
        "fob": "48.00",
        "vnm": "9.30",
        "vom": "8.30",
        "build_down": "80.62",
        "build_up": "54.79",
    }
    brass = next(m for m in result["materials"] if m["code"] == "BRASS-BAR")
    assert {"path", "code", "originating", "value", "ctc", "reason"} <= set(brass)
    assert (brass["path"], brass["originating"], brass["value"], brass["ctc"]) == (
        "good.bom[1]",
        False,
        "9.00",
        "pass",
    )
    assert brass["reason"]
    carton = next(i for i in result["issues"] if i["code"] == "ORIGIN_PROOF_MISSING")
    assert set(carton) == {"code", "severity", "path", "message", "hint"}
    assert (carton["severity"], carton["path"]) == ("warning", "good.bom[4]")
    assert result["explanation"].startswith("Good SWC-630")
    assert result["file"] == str(CTC_SAMPLE)


def test_evaluate_json_of_a_good_stopped_by_review_has_no_verdict_and_says_why(cli):
    code, out, _ = cli("evaluate", "--json", NO_RULE_SAMPLE)

    assert code == 2
    result = json.loads(out)
    assert result["originating"] is None
    assert result["criterion"] is None
    assert result["rvc"] is None
    [issue] = [i for i in result["issues"] if i["severity"] == "error"]
    assert (issue["code"], issue["path"]) == ("PSR_NOT_FOUND", "good")


def test_a_file_with_a_list_of_goods_is_evaluated_good_by_good(cli, tmp_path):
    both = [json.loads(CTC_SAMPLE.read_text()), json.loads(MINIMAL_SAMPLE.read_text())]
    path = goods_file(tmp_path / "two_goods.json", both)

    code, out, _ = cli("evaluate", "--json", path)

    assert code == 1  # the worst verdict: one good is not originating
    results = json.loads(out)
    assert [(r["good"]["code"], r["originating"]) for r in results] == [
        ("SWC-630", True),
        ("BB-KIT-400", False),
    ]
    assert cli("evaluate", path)[0] == 1


def test_one_good_that_cannot_be_evaluated_makes_the_whole_run_exit_2(cli):
    code, out, _ = cli("evaluate", "--json", CTC_SAMPLE, NO_RULE_SAMPLE)

    assert code == 2
    assert [r["originating"] for r in json.loads(out)] == [True, None]


def test_a_goods_file_that_is_not_json_is_refused_with_exit_2(cli, tmp_path):
    path = goods_file(tmp_path / "order.json", "SWC-630; 8538.90; 48.00 USD")

    code, out, err = cli("evaluate", path)

    assert code == 2
    assert "INPUT_INVALID" in err
    assert "not valid JSON" in err
    assert out == ""

    code, out, _ = cli("evaluate", "--json", path)
    assert code == 2
    refused = json.loads(out)
    assert (refused["file"], refused["code"], refused["originating"]) == (
        str(path),
        "INPUT_INVALID",
        None,
    )


def test_the_message_for_a_broken_goods_file_says_which_file_it_is(cli, tmp_path):
    path = goods_file(tmp_path / "broken_order.json", "{not json")

    code, _, err = cli("evaluate", CTC_SAMPLE, path)

    assert code == 2
    assert "broken_order.json" in err


def test_a_goods_file_that_is_not_json_shows_no_traceback(tmp_path, user_rules):
    path = goods_file(tmp_path / "order.json", "<xml>not json</xml>")

    done = run_script("evaluate", path, env_rules=user_rules)

    assert done.returncode == 2
    assert "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_goods_file_with_an_absurd_quantity_shows_no_traceback(tmp_path, user_rules):
    good = json.loads(CTC_SAMPLE.read_text())
    good["good"]["bom"][1]["quantity"] = "1e999"
    path = goods_file(tmp_path / "typo.json", good)

    done = run_script("evaluate", path, env_rules=user_rules)

    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 2)  # a verdict, or refused; 1 would claim "not originating"


def test_a_missing_goods_file_exits_2_naming_the_file(cli, tmp_path):
    missing = tmp_path / "no_such_good.json"

    code, _, err = cli("evaluate", missing)

    assert code == 2
    assert "no_such_good.json" in err
    assert "cannot read" in err


# --- review --------------------------------------------------------------------------------------


def test_review_of_a_good_without_errors_exits_0(cli):
    code, out, _ = cli("review", CTC_SAMPLE)

    assert code == 0
    assert "0 error(s)" in out


def test_review_of_a_good_with_an_error_exits_2_and_lists_it(cli):
    code, out, _ = cli("review", NO_RULE_SAMPLE)

    assert code == 2
    assert "1 error(s)" in out
    assert "PSR_NOT_FOUND" in out


def test_review_json_lists_every_issue_of_the_file(cli):
    code, out, _ = cli("review", "--json", NO_RULE_SAMPLE)

    assert code == 2
    report = json.loads(out)
    assert report["file"] == str(NO_RULE_SAMPLE)
    assert report["good"] == "SPH-BT40"
    assert report["errors"] == 1
    [issue] = report["issues"]
    assert issue["code"] == "PSR_NOT_FOUND"
    assert issue["severity"] == "error"
    assert issue["path"] == "good"
    assert "8466.93" in issue["message"]
    assert "rcep-origin psr import" in issue["hint"]


def test_review_json_puts_errors_before_warnings(cli, tmp_path):
    good = json.loads(CTC_SAMPLE.read_text())
    good["importing_party"] = "MM"  # warning: contested
    good["good"]["bom"][1]["currency"] = "EUR"  # error
    path = goods_file(tmp_path / "mixed.json", good)

    code, out, _ = cli("review", "--json", path)

    assert code == 2
    severities = [i["severity"] for i in json.loads(out)["issues"]]
    assert severities[0] == "error"
    assert severities == sorted(severities, key=lambda s: s != "error")


# --- psr show ------------------------------------------------------------------------------------


def test_psr_show_for_a_smartphone_names_the_hs2012_rule_it_is_transposed_from(cli):
    code, out, _ = cli("psr", "show", "8517.13")

    assert code == 0
    assert "CTSH or RVC40" in out
    assert "8517.12" in out
    assert "transposed" in out
    assert "n:1" in out


def test_psr_show_json_for_a_smartphone(cli):
    code, out, _ = cli("psr", "show", "8517.13", "--json")

    assert code == 0
    shown = json.loads(out)
    assert shown["hs"] == "8517.13"
    assert shown["code"] == "8517.12"
    assert shown["psr"] == "CTSH or RVC40"
    assert shown["transposed"] is True
    assert shown["correlation"] == ["8517.12"]
    assert shown["relationship"] == "n:1"


def test_psr_show_for_a_chapter_84_part_exits_1_and_says_how_to_import_its_rule(cli):
    code, out, _ = cli("psr", "show", "8466.93")

    assert code == 1
    assert "8466.93" in out
    assert "rcep-origin psr import" in out


def test_psr_show_for_a_chapter_lists_its_loaded_rows(cli):
    code, out, _ = cli("psr", "show", "85", "--json")

    assert code == 0
    rows = json.loads(out)
    codes = {(r["hs_version"], r["code"]) for r in rows}
    assert {("HS2012", "8517.12"), ("HS2012", "85.22"), ("HS2022", "8509.80")} <= codes
    assert all(r["code"].startswith("85") for r in rows)

    code, out, _ = cli("psr", "show", "85")
    assert code == 0
    assert "8517.12" in out and "CTSH or RVC40" in out


# --- psr import ----------------------------------------------------------------------------------


def test_importing_the_spindle_rule_adds_it_to_the_given_rules_file(cli, tmp_path):
    source = csv_file(tmp_path / "spindle.csv", SPINDLE_RULE)
    target = tmp_path / "my_rules.csv"

    code, out, _ = cli("psr", "import", source, "--rules-file", target, "--json")

    assert code == 0
    report = json.loads(out)
    assert report["added"] == ["8466.93"]
    assert report["conflicts"] == []
    assert report["rules_file"] == str(target)
    assert target.read_text(encoding="utf-8").splitlines() == [HEADER, SPINDLE_RULE]


def test_importing_the_same_rule_again_into_the_same_rules_file_reports_it_unchanged(cli, tmp_path):
    source = csv_file(tmp_path / "spindle.csv", SPINDLE_RULE)
    target = tmp_path / "my_rules.csv"
    cli("psr", "import", source, "--rules-file", target)

    code, out, _ = cli("psr", "import", source, "--rules-file", target, "--json")

    assert code == 0
    report = json.loads(out)
    assert report["added"] == []
    assert report["unchanged"] == ["8466.93"]


def test_importing_again_into_the_default_user_rules_file_reports_it_unchanged(
    cli, tmp_path, user_rules
):
    source = csv_file(tmp_path / "spindle.csv", SPINDLE_RULE)
    assert cli("psr", "import", source)[0] == 0
    assert user_rules.exists()

    code, out, _ = cli("psr", "import", source, "--json")

    assert code == 0
    assert json.loads(out)["unchanged"] == ["8466.93"]


def test_a_row_contradicting_a_loaded_rule_is_reported_and_not_written(cli, tmp_path):
    source = csv_file(
        tmp_path / "phones.csv",
        "HS2012,subheading,8517.12,Cellular telephones,CTH,clear,https://example.org/x,p.1",
    )
    target = tmp_path / "my_rules.csv"

    code, out, _ = cli("psr", "import", source, "--rules-file", target)

    assert code == 1
    assert "CONFLICT" in out and "8517.12" in out and "--replace" in out
    assert not target.exists()

    code, out, _ = cli("psr", "import", source, "--rules-file", target, "--json")
    assert code == 1
    [conflict] = json.loads(out)["conflicts"]
    assert (conflict["code"], conflict["new"], conflict["loaded"]) == (
        "8517.12",
        "CTH",
        "CTSH or RVC40",
    )


def test_a_row_contradicting_one_imported_earlier_into_the_same_file_is_a_conflict(cli, tmp_path):
    target = tmp_path / "my_rules.csv"
    first = csv_file(tmp_path / "spindle.csv", SPINDLE_RULE)
    cli("psr", "import", first, "--rules-file", target)
    before = target.read_text(encoding="utf-8")
    second = csv_file(
        tmp_path / "spindle_v2.csv",
        "HS2012,subheading,8466.93,Parts,CTH,clear,https://example.org/other,p.9",
    )

    code, _, _ = cli("psr", "import", second, "--rules-file", target)

    assert code == 1
    assert target.read_text(encoding="utf-8") == before


def test_replace_lets_the_imported_row_win_over_the_loaded_one(cli, tmp_path):
    source = csv_file(
        tmp_path / "phones.csv",
        "HS2012,subheading,8517.12,Cellular telephones,CTH,clear,https://example.org/x,p.1",
    )
    target = tmp_path / "my_rules.csv"

    code, out, _ = cli("psr", "import", source, "--rules-file", target, "--replace", "--json")

    assert code == 0
    assert json.loads(out)["replaced"] == ["8517.12"]
    code, out, _ = cli("--rules", target, "psr", "show", "8517.13", "--json")
    assert json.loads(out)["psr"] == "CTH"


def test_a_bad_rule_file_is_refused_with_exit_2_naming_the_line(cli, tmp_path):
    source = csv_file(
        tmp_path / "extract.csv",
        SPINDLE_RULE,
        "HS2012,subheading,8466.92,Parts,Change of heading,clear,https://example.org/x,p.1",
    )
    target = tmp_path / "my_rules.csv"

    code, _, err = cli("psr", "import", source, "--rules-file", target)

    assert code == 2
    assert f"{source}:3:" in err
    assert "Change" in err
    assert "Traceback" not in err
    assert not target.exists()  # nothing of the file is loaded, not even its good line


def test_after_import_the_spindle_housing_is_evaluated_with_the_new_rule(cli, tmp_path):
    source = csv_file(tmp_path / "spindle.csv", SPINDLE_RULE)
    target = tmp_path / "my_rules.csv"
    cli("psr", "import", source, "--rules-file", target)

    code, out, _ = cli("--rules", target, "evaluate", "--json", NO_RULE_SAMPLE)

    assert code == 0
    result = json.loads(out)
    assert result["originating"] is True
    assert result["rule"]["code"] == "8466.93"
    assert result["rule"]["source"] == "https://example.org/annex-3a.pdf"
    assert "PSR_NOT_FOUND" not in {i["code"] for i in result["issues"]}
    # Without the rules file the good is still stopped for want of a rule.
    assert cli("evaluate", NO_RULE_SAMPLE)[0] == 2


# --- demo ----------------------------------------------------------------------------------------


def test_the_demo_evaluates_the_ten_bundled_samples(cli):
    code, out, _ = cli("demo")

    assert code == 0
    assert "10 sample goods evaluated" in out
    for sample in sorted(SAMPLES.glob("*.json")):
        assert json.loads(sample.read_text())["good"]["code"] in out  # one row per good

    code, out, _ = cli("demo", "--json")
    assert code == 0
    report = json.loads(out)
    results = report["goods"]
    assert [r["file"] for r in results] == sorted(p.name for p in SAMPLES.glob("*.json"))
    assert len(results) == 10
    # ... and the rest of the pipeline: a certificate for every originating good, and the
    # declaration with a criterion the evidence does not support refused with its reason
    assert all((r["certificate"] is not None) == bool(r["originating"]) for r in results)
    assert report["rejection"]["reasons"][0]["code"] == "CRITERION_NOT_MET"


def test_the_demo_uses_the_bundled_rules_only_not_the_users_own(cli, tmp_path, user_rules):
    user_rules.parent.mkdir(parents=True)
    csv_file(user_rules, SPINDLE_RULE)

    code, out, _ = cli("demo", "--json")

    assert code == 0
    spindle = next(r for r in json.loads(out)["goods"] if r["file"] == NO_RULE_SAMPLE.name)
    assert spindle["originating"] is None  # as bundled: no rule for 8466.93
