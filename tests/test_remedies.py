"""An export clerk asks what would make a good qualify, and how far a qualifying one is from
failing (issue 12): every figure below is computed by hand from the goods file.

The amplifier 8518.40 has the rule "CTSH or RVC40" (Annex 3A, HS2012 row applied through the
correlation); FOB 100.00 USD unless said otherwise, so RVC40 needs VNM <= 60.00 and de minimis
allows 10.00 of materials failing CTSH (Art 3.7(a)).
"""

import dataclasses
import json
from decimal import Decimal

from builders import D, bought, made, make_good, proof, run, shipment

from rcep_rules import load_shipments, remedies
from rcep_rules.datafiles import data_path
from rcep_rules.remedies import OBTAIN_PROOF, RECORD_PROCESS, SOURCE_ORIGINATING, apply_changes

AMPLIFIER = "8518.40"
CHANGED = ("origin_country", "proof", "kind")
SAMPLES = data_path("samples")


def remedy_for(good, **fields):
    text = json.dumps(shipment(good, **fields))
    return remedies(load_shipments(text)[0])


def sample(name, **kwargs):
    return remedies(load_shipments((SAMPLES / name).read_text())[0], **kwargs)


def test_a_supplier_declaration_is_the_cheapest_way_to_meet_rvc40():
    # VNM 30 + 20 + 15 = 65: RVC 35 %; the same-subheading part (30) fails CTSH outright.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                bought("8518.40", "30.00", origin="DE", code="SAME-SUB"),
                bought("8542.31", "20.00", origin="KR", code="DSP-IC"),
                bought("8504.40", "15.00", origin="CN", code="PSU"),
            ],
        )
    )
    assert result.originating is False and result.exit_code == 1
    first = result.remedies[0]
    # RVC40 needs 5.00 moved: the smallest proof that suffices is the Chinese PSU's (15.00)
    assert (first.criterion, first.alternative, first.verified) == ("RVC", "RVC40", True)
    assert [(c.code, c.action, c.proof_type, c.value) for c in first.changes] == [
        ("PSU", OBTAIN_PROOF, "SUPPLIER_DECLARATION", D("15.00"))
    ]
    assert first.rvc_after == D("50")  # (100 - 50) / 100
    text = result.as_dict()["remedies"][0]["text"]
    assert text.startswith("Obtain a supplier declaration for PSU from its supplier in CN")
    assert "qualifies under RVC40 with 50.00 %" in text
    # then re-sourcing the failing part for CTSH; PE (all three) is more of both: not offered
    (second,) = result.remedies[1:]
    assert (second.alternative, [c.code for c in second.changes]) == ("CTSH", ["SAME-SUB"])
    assert second.changes[0].action == SOURCE_ORIGINATING


def test_pe_when_claimed_needs_every_material_that_counts():
    good = make_good(
        AMPLIFIER,
        bom=[
            bought("8518.40", "30.00", origin="DE", code="SAME-SUB"),
            bought("8542.31", "20.00", origin="KR", code="DSP-IC"),
            bought("4819.10", "1.00", origin="DE", code="BOX", role="packing"),
        ],
    )
    result = remedies(load_shipments(json.dumps(shipment(good)))[0], claim="PE")
    (pe,) = result.remedies
    # retail packing is disregarded for PE (Art 3.8)
    assert pe.criterion == "PE" and [c.code for c in pe.changes] == ["SAME-SUB", "DSP-IC"]


def test_exactly_40_percent_after_the_change_meets_rvc40():
    # VNM 55 + 5 + 1 = 61: 1.00 must move; the 1.00 proof from Korea is just enough.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                bought("8518.40", "55.00", origin="DE", code="SAME-SUB"),
                bought("8504.40", "5.00", origin="CN", code="PSU"),
                bought("8542.31", "1.00", origin="KR", code="DSP-IC"),
            ],
        )
    )
    first = result.remedies[0]
    assert [c.code for c in first.changes] == ["DSP-IC"]
    assert first.changes[0].proof_type == "RCEP_CO"  # another Party: cumulation (Art 3.4)
    assert first.rvc_after == D("40") and first.annotations_after == ("ACU",)
    assert "with 40.00 % (ACU)" in result.as_dict()["remedies"][0]["text"]


def test_de_minimis_needs_only_enough_of_the_failing_materials():
    # CTSH fails on 6 + 7 = 13 > 10; re-sourcing the 6.00 part leaves 7 <= 10: CTC with DMI.
    # RVC40 (VNM 73) would need 13.00 moved: only the 60.00 part alone suffices.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                bought("8518.40", "6.00", origin="US", code="GRILLE"),
                bought("8518.40", "7.00", origin="US", code="BEZEL"),
                bought("8542.31", "60.00", origin="DE", code="DSP-IC"),
            ],
        )
    )
    first = result.remedies[0]
    assert (first.alternative, [c.code for c in first.changes]) == ("CTSH", ["GRILLE"])
    assert first.annotations_after == ("DMI",)
    rvc = next(r for r in result.remedies if r.criterion == "RVC")
    assert [c.code for c in rvc.changes] == ["DSP-IC"] and rvc.rvc_after == D("87")


def test_a_material_inside_a_sub_assembly_is_changed_at_its_own_path():
    # The power module (no rule loaded for 8504.40: seen through) is used twice, so its Korean
    # IC counts 2 x 25.00 for the good. VNM 2 x 35 + 15 = 85: RVC 15 %.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                made(
                    "8504.40",
                    qty=2,
                    code="PSU-MODULE",
                    bom=[
                        bought("7407.21", "10.00", origin="DE", code="CU-STRIP"),
                        bought("8542.31", "25.00", origin="KR", code="PWM-IC"),
                    ],
                ),
                bought("8518.40", "15.00", origin="US", code="SAME-SUB"),
            ],
        )
    )
    first = result.remedies[0]
    assert first.alternative == "RVC40" and first.proofs_only
    (change,) = first.changes
    assert (change.path, change.code, change.value) == ("good.bom[0].bom[1]", "PWM-IC", D("50"))
    assert first.rvc_after == D("65")  # VNM 2 x 10 + 15 = 35
    ctc = next(r for r in result.remedies if r.alternative == "CTSH")
    assert [c.path for c in ctc.changes] == ["good.bom[1]"]  # 15 > 10: must go entirely


def test_a_sub_assembly_that_can_roll_up_is_made_originating_instead():
    # The speaker module (8518.90, "CTH or RVC40") is worth 60.00 but fails on its own: the
    # loudspeaker (8518.29, same heading) is 20.00 of non-originating material against its
    # de minimis of 6.00, and its RVC is 16.7 %. Seen through, it brings 50.00 of VNM to the
    # amplifier: VNM 50 + 20 + 15 = 85. Buying the loudspeaker originating makes the module
    # originate (Art 3.12): all its 60.00 counts as originating, VNM falls to 35: RVC 65 %,
    # for 20.00 changed, where the materials seen through would need the 30.00 copper coil.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                made(
                    "8518.90",
                    code="SPEAKER-MODULE",
                    unit_cost="60.00",
                    bom=[
                        bought("8518.29", "20.00", origin="DE", code="LOUDSPEAKER"),
                        bought("7407.21", "30.00", origin="DE", code="CU-COIL"),
                    ],
                ),
                bought("8542.31", "20.00", origin="DE", code="DSP-IC"),
                bought("8518.40", "15.00", origin="US", code="SAME-SUB"),
            ],
        )
    )
    rvc = [r for r in result.remedies if r.criterion == "RVC"]
    assert [[c.code for c in r.changes] for r in rvc] == [["LOUDSPEAKER"]]
    assert rvc[0].rvc_after == D("65")
    assert rvc[0].changes[0].path == "good.bom[0].bom[0]"
    first = result.remedies[0]  # 15.00 re-sourced for CTSH is still less value changed
    assert (first.alternative, [c.code for c in first.changes]) == ("CTSH", ["SAME-SUB"])


def test_a_material_used_at_several_places_is_one_change():
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                made("8504.40", code="PSU", bom=[bought("8542.31", "20.00", "KR", code="IC")]),
                bought("8542.31", "20.00", origin="KR", code="IC"),
                bought("8518.40", "30.00", origin="DE", code="SAME-SUB"),
            ],
        )
    )
    first = result.remedies[0]
    (change,) = first.changes
    assert change.paths == ("good.bom[0].bom[0]", "good.bom[1]") and change.value == D("40")
    assert first.rvc_after == D("70")
    assert "at 2 places in the BOM" in result.as_dict()["remedies"][0]["text"]


def test_applying_a_remedy_shares_what_it_does_not_change():
    s = load_shipments(
        json.dumps(
            shipment(
                make_good(
                    AMPLIFIER,
                    bom=[
                        made("8504.40", bom=[bought("8542.31", "20.00", "KR", code="IC")]),
                        made("8504.40", bom=[bought("8542.31", "20.00", "DE", code="OTHER")]),
                        bought("8518.40", "30.00", origin="DE", code="SAME-SUB"),
                    ],
                )
            )
        )
    )[0]
    result = remedies(s)
    change = next(c for r in result.remedies for c in r.changes if c.code == "IC")
    changed = apply_changes(s, [change])
    assert changed.good.bom[1] is s.good.bom[1]
    line = changed.good.bom[0].bom[0]
    assert (line.origin_country, line.proof.type, line.proof.issue_date) == (
        "KR",
        "RCEP_CO",
        s.shipment_date,
    )
    original = s.good.bom[0].bom[0]
    assert original.proof is None  # the original is untouched
    kept = [f.name for f in dataclasses.fields(line) if f.name not in CHANGED]
    assert [getattr(line, f) for f in kept] == [getattr(original, f) for f in kept]
    assert line.kind.hs == original.kind.hs and line.kind.proof is line.proof


def test_only_minimal_operations_ask_for_a_real_process_without_a_verified_outcome():
    result = sample("06_busbar_parts_minimal_operations.json")
    assert result.exit_code == 1
    first, last = result.remedies[0], result.remedies[-1]
    # the copper busbar (1.2 x 5.00) bought originating: no non-originating material is left
    assert first.criterion == "PE" and first.verified
    assert [(c.code, c.value) for c in first.changes] == [("CU-BUSBAR", D("6.00"))]
    assert last.changes[0].action == RECORD_PROCESS and not last.verified
    assert last.processes == ("cutting", "marking", "packaging")
    assert last.alternative == "CTH"  # copper (74.07) changes heading once a process counts
    text = result.as_dict()["remedies"][-1]["text"]
    assert "Not verified" in text and "Art 3.6" in text


def test_a_sub_assembly_only_cut_is_seen_through_until_its_real_process_is_recorded():
    # The speaker module (8518.90, "CTH or RVC40") records only cutting (Art 3.6), so it is
    # seen through: its 50.00 of non-originating copper counts for the amplifier, VNM
    # 50 + 15 = 65 (RVC 35 %), and the 15.00 part of the amplifier's own subheading fails CTSH.
    result = remedy_for(
        make_good(
            AMPLIFIER,
            bom=[
                made(
                    "8518.90",
                    code="SPEAKER-MODULE",
                    processes=("cutting",),
                    unit_cost="60.00",
                    bom=[bought("7407.21", "50.00", origin="DE", code="CU-COIL")],
                ),
                bought("8518.40", "15.00", origin="US", code="SAME-SUB"),
            ],
        )
    )
    (record,) = [r for r in result.remedies if r.changes[0].action == RECORD_PROCESS]
    assert not record.verified and record is result.remedies[-1]
    assert record.changes[0].path == "good.bom[0].processes" and record.processes == ("cutting",)
    # with a real process the module passes CTH (copper, chapter 74) and rolls up: VNM 15
    assert (record.alternative, record.rvc_after) == ("RVC40", D("85"))
    assert "Not verified" in remedy_text_of(result, record)


def remedy_text_of(result, remedy):
    from rcep_rules.explain import remedy_text

    return remedy_text(remedy, result.evaluation.shipment)


def test_an_expired_korean_certificate_or_a_vietnamese_adapter_proof():
    result = sample("07_cordless_phone_expired_proof.json")
    first, second = result.remedies[:2]
    # VNM 18 + 4 + 3 + 0.5 = 25.50 of FOB 40: RVC40 needs 1.50 moved; the adapter's 3.00
    assert [c.code for c in first.changes] == ["ADAPTER"] and first.rvc_after == D("43.75")
    assert second.alternative == "CTSH" and second.changes[0].reason == "proof_expired"


def test_a_claimed_criterion_that_does_not_hold_gets_its_own_remedies():
    result = sample("03_audio_amplifier_dmi.json", claim="RVC")
    assert result.originating and not result.qualifies and result.exit_code == 1
    assert {r.criterion for r in result.remedies} == {"RVC"}
    assert sample("03_audio_amplifier_dmi.json").exit_code == 0


def test_without_a_rule_only_pe_can_help():
    result = sample("10_cnc_spindle_housing_psr_not_found.json")
    assert [o.code for o in result.obstacles] == ["NO_RULE"]
    assert [r.criterion for r in result.remedies] == ["PE"]
    assert "load the rule" in result.as_dict()["obstacles"][0]["text"]


def test_a_non_party_destination_cannot_be_remedied():
    result = remedy_for(
        make_good(AMPLIFIER, bom=[bought("8518.40", "30.00", origin="DE")]), importing="US"
    )
    assert result.remedies == () and result.exit_code == 2
    assert [o.code for o in result.obstacles] == ["PARTY"]
    assert "No change of origin data" in result.explanation


def test_a_file_with_review_errors_is_not_searched():
    good = make_good(AMPLIFIER, bom=[bought("8518.40", "30.00", origin="DE")])
    del good["bom"][0]["hs_code"]
    result = remedy_for(good)
    assert result.exit_code == 2 and [o.code for o in result.obstacles] == ["NOT_EVALUATED"]
    assert "HS_MISSING" in result.as_dict()["obstacles"][0]["text"]


# --- the margin of an originating good ---------------------------------------------------------


def margin_good(proof_until="2027-06-30"):
    # CTSH fails (20 > 10); RVC (100 - 20) / 100 = 80 % holds, and leans on the 45.00 housing
    return make_good(
        AMPLIFIER,
        bom=[
            bought("8518.40", "20.00", origin="DE", code="SAME-SUB"),
            bought(
                "3926.90",
                "45.00",
                origin="CN",
                code="HOUSING",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-77", proof_until),
            ),
        ],
    )


def test_the_margin_says_how_far_vnm_may_rise_and_the_lowest_price():
    result = remedy_for(margin_good())
    assert result.exit_code == 0 and result.remedies == ()
    margin = result.margin
    (rvc,) = margin.rvc
    assert rvc.vnm_headroom == D("40")  # 60.00 allowed - 20.00
    # (FOB - 20) x 100 >= 40 x FOB  <=>  FOB >= 33.333...: 33.34 to the cent
    assert rvc.fob_floor == D("33.34") == margin.fob_floor and margin.fob_floor_verified
    assert not run(dict(margin_good(), fob="33.33")).originating
    assert run(dict(margin_good(), fob="33.34")).originating
    lines = result.as_dict()["margin"]["text"]
    assert lines[0].startswith("VNM may rise by 40.00 USD before RVC40 fails")
    assert margin.expiring == ()  # nothing ends within 90 days


def test_a_proof_expiring_within_the_look_ahead_that_would_break_it():
    result = remedy_for(margin_good(proof_until="2026-12-31"))  # 41 days after shipment
    (expiring,) = result.margin.expiring
    assert (expiring.reference, expiring.days, expiring.codes) == ("SD-77", 41, ("HOUSING",))
    assert expiring.originating_after is False  # VNM 65: RVC 35 %
    assert result.margin.breaking == (expiring,)
    assert "no longer qualify" in result.explanation
    assert remedy_for(margin_good("2026-12-31")).margin.look_ahead_days == 90


def test_a_ctc_met_outright_qualifies_at_any_price():
    result = sample("01_switchgear_contact_carrier_ctc.json")
    assert result.margin.fob_floor is None and result.margin.any_price


def test_the_de_minimis_floor_is_ten_times_the_failing_value():
    result = sample("03_audio_amplifier_dmi.json")
    assert result.margin.fob_floor == Decimal("80.00")  # 8.00 failing CTSH
    assert result.margin.fob_floor_alternative == "CTSH"
