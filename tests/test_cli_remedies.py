"""`rcep-origin remedies FILE [--json]`: exit 0 the good qualifies (its margin), 1 remedies
were found, 2 none can exist or the file cannot be evaluated."""

import json

import pytest

from connectors.cli import main
from rcep_rules.datafiles import data_path

SAMPLES = data_path("samples")


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


def test_a_food_mixer_that_fails_gets_its_remedies_ranked(cli):
    code, out, _ = cli("remedies", SAMPLES / "09_food_mixer_not_originating.json")
    assert code == 1
    assert out.startswith("Verdict: NOT ORIGINATING.")
    assert "1. Buy BOWL-SS originating (value 3.50 USD" in out
    assert "qualifies under RVC40 with 52.00 %" in out


def test_the_json_form_names_paths_actions_and_the_rvc_after(cli):
    code, out, _ = cli("remedies", "--json", SAMPLES / "07_cordless_phone_expired_proof.json")
    data = json.loads(out)
    assert code == 1 and data["originating"] is False
    first = data["remedies"][0]
    assert (first["criterion"], first["rvc_after"], first["verified"]) == ("RVC", "43.75", True)
    assert first["changes"][0] == {
        "path": "good.bom[2]",
        "paths": ["good.bom[2]"],
        "code": "ADAPTER",
        "action": "obtain_proof",
        "value": "3.00",
        "origin_country": "VN",
        "proof": "RCEP_CO",
        "text": first["changes"][0]["text"],
    }
    assert data["margin"] is None and data["file"].endswith("07_cordless_phone_expired_proof.json")


def test_an_originating_good_shows_its_margin_and_exits_0(cli):
    code, out, _ = cli("remedies", "--json", SAMPLES / "02_base_station_rvc.json")
    data = json.loads(out)
    assert code == 0 and data["remedies"] == []
    margin = data["margin"]
    assert margin["rvc"][0]["vnm_headroom"] == "780.00"
    assert margin["fob_floor"] == "2900.00" and margin["fob_floor_verified"] is True


def test_a_claimed_criterion_is_searched_even_when_another_holds(cli):
    sample = SAMPLES / "03_audio_amplifier_dmi.json"
    assert cli("remedies", sample)[0] == 0
    code, out, _ = cli("remedies", "--criterion", "RVC", sample)
    assert code == 1 and "Claimed criterion RVC is not met." in out


def test_a_longer_look_ahead_finds_more_expiring_proofs(cli):
    sample = SAMPLES / "01_switchgear_contact_carrier_ctc.json"
    short = json.loads(cli("remedies", "--json", sample)[1])["margin"]["expiring_proofs"]
    long = json.loads(cli("remedies", "--json", "--look-ahead", 365, sample)[1])
    assert len(short) == 1 and len(long["margin"]["expiring_proofs"]) == 3


def test_nothing_can_help_a_destination_outside_rcep(cli, tmp_path):
    data = json.loads((SAMPLES / "09_food_mixer_not_originating.json").read_text())
    data["importing_party"] = "US"
    path = tmp_path / "us.json"
    path.write_text(json.dumps(data))
    code, out, _ = cli("remedies", path)
    assert code == 2 and "No change of origin data can make it qualify" in out


def test_an_unreadable_file_exits_2(cli, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    code, out, err = cli("remedies", "--json", path)
    assert code == 2 and json.loads(out)["code"] == "INPUT_INVALID"
    code, _, err = cli("remedies", path)
    assert code == 2 and "not valid JSON" in err


def test_several_goods_take_the_highest_exit_code(cli):
    code, out, _ = cli(
        "remedies",
        SAMPLES / "02_base_station_rvc.json",
        SAMPLES / "06_busbar_parts_minimal_operations.json",
    )
    assert code == 1 and "BB-KIT-400" in out and "Not verified" in out
