"""Every bundled sample good gets the verdict it was built to show (data/samples)."""

import pytest

from rcep_rules import evaluate, load_shipments
from rcep_rules.datafiles import data_path

# file: (exit code, criterion, annotations, the issue codes that tell its story)
EXPECTED = {
    "01_switchgear_contact_carrier_ctc.json": (0, "CTC", (), {"ORIGIN_PROOF_MISSING"}),
    "02_base_station_rvc.json": (0, "RVC", (), {"PSR_NOT_FOUND"}),
    "03_audio_amplifier_dmi.json": (0, "CTC", ("DMI",), set()),
    "04_magnetron_acu.json": (0, "CTC", ("ACU",), set()),
    "05_amplifier_set_rollup.json": (0, "RVC", (), set()),
    "06_busbar_parts_minimal_operations.json": (1, None, (), {"PROCESS_MINIMAL"}),
    "07_cordless_phone_expired_proof.json": (1, None, (), {"ORIGIN_PROOF_EXPIRED"}),
    "08_smartphone_transposed_rule.json": (0, "CTC", (), {"PSR_TRANSPOSED"}),
    "09_food_mixer_not_originating.json": (1, None, (), {"PSR_PARTIAL"}),
    "10_cnc_spindle_housing_psr_not_found.json": (2, None, (), {"PSR_NOT_FOUND"}),
}


def _evaluate(name):
    return evaluate(load_shipments(data_path("samples", name).read_bytes())[0])


def test_every_sample_file_has_an_expectation():
    assert sorted(p.name for p in data_path("samples").glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_gets_its_expected_verdict(name):
    exit_code, criterion, annotations, story = EXPECTED[name]
    result = _evaluate(name)
    assert result.exit_code == exit_code
    assert result.criterion == criterion
    assert result.annotations == annotations
    assert story <= {i.code for i in result.issues}


def test_the_dmi_sample_is_originating_only_thanks_to_de_minimis():
    result = _evaluate("03_audio_amplifier_dmi.json")
    # PREAMP-MOD 8.00 is in the good's own subheading 8518.40: 8.00 / 85.00 = 9.41 % <= 10 %.
    # RVC: (85.00 - 58.00) / 85.00 x 100 = 31.76 %, below RVC40, so only CTC + DMI holds.
    assert result.satisfied == ("CTC",)
    assert result.as_dict()["rvc"]["build_down"] == "31.76"


def test_the_rollup_sample_qualifies_only_because_the_driver_rolls_up():
    result = _evaluate("05_amplifier_set_rollup.json")
    drivers = next(m for m in result.as_dict()["materials"] if m["code"] == "DRIVER-8IN")
    assert drivers["originating"] is True and drivers["value"] == "70.00"
    # Rolled up: VNM 20 + 18 + 4 + 14 = 56.00 -> (160 - 56) / 160 = 65.00 %.
    # Had the drivers been transparent, their 2 x (20 + 3) = 46.00 of non-originating
    # magnets and wire would count too: (160 - 102) / 160 = 36.25 % < 40 %.
    assert result.as_dict()["rvc"]["build_down"] == "65.00"


def test_the_expired_proof_alone_makes_the_cordless_phone_non_originating():
    result = _evaluate("07_cordless_phone_expired_proof.json")
    handset = next(m for m in result.as_dict()["materials"] if m["code"] == "HANDSET-D2")
    assert handset["originating"] is False and handset["ctc"] == "fail"
    # Issued 2025-09-01, valid one year (Art 3.16): expired before the 2026-11-20 shipment.
    assert "valid until 2026-09-01" in next(
        i.message for i in result.issues if i.code == "ORIGIN_PROOF_EXPIRED"
    )


def test_the_chapter_84_part_says_how_to_load_its_rule():
    result = _evaluate("10_cnc_spindle_housing_psr_not_found.json")
    (error,) = result.errors
    assert error.code == "PSR_NOT_FOUND" and "8466.93" in error.message
    assert "rcep-origin psr import" in error.hint
