"""`rcep-origin psr show CODE` tells a code that exists in no HS edition from a code without
a rule: 8538.99 is not a subheading of HS2022 (it is not "without HS2012 correlation"),
9999.99 is no HS code at all, and a chapter with nothing loaded exits 1 as README says."""

import json

import pytest

from connectors.cli import main


@pytest.fixture(autouse=True)
def user_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(tmp_path / "psr_user.csv"))


def show(capsys, *args):
    code = main(["psr", "show", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_subheading_that_does_not_exist_in_its_edition_says_so(capsys):
    code, out, err = show(capsys, "8538.99")

    assert code == 2
    assert "8538.99 is not a subheading of HS2022" in err
    assert "correlation" not in out + err


def test_9999_99_is_not_an_hs_code(capsys):
    code, _, err = show(capsys, "9999.99")

    assert code == 2
    assert "9999.99 is not a subheading of HS2022 nor of HS2012: it is not an HS code" in err


def test_a_code_of_the_other_edition_says_which(capsys):
    # 8517.12 (telephones for cellular networks) was split in HS2022 (8517.13, 8517.14)
    code, _, err = show(capsys, "8517.12")

    assert code == 2
    assert "it is one of HS2012" in err
    assert show(capsys, "8517.12", "--hs-version", "HS2012")[0] == 0


def test_a_chapter_with_nothing_loaded_exits_1(capsys):
    code, out, _ = show(capsys, "84")

    assert code == 1
    assert "No rule rows loaded under 84" in out
    code, out, _ = show(capsys, "84", "--json")
    assert (code, json.loads(out)) == (1, [])


def test_a_heading_that_does_not_exist_says_so(capsys):
    code, _, err = show(capsys, "85.60")

    assert code == 2
    assert "85.60 is not a heading of HS2022" in err
