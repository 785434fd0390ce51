"""Annex 3A headnote 8: where a rule offers alternatives, the exporter chooses which to use.

Copper contact carriers for switchgear (HS2022 8538.90, the HS2012 rule of 85.38 "CTH or
RVC40") made from German brass (7407.21, 30.00 of a 100.00 FOB): both CTH and RVC40 (70.00 %)
hold. Without a claim the engine declares CTC, the first in the order WO, PE, CTC, RVC, CR;
an exporter whose importer asks for RVC claims it, and a claim that does not hold is refused.
"""

import json

import pytest
from builders import bought, codes, issue, make_good, run, shipment

from rcep_rules import load_shipments, remedies


def contact_carrier(claim=None, brass="30.00", **extra):
    good = make_good("8538.90", fob="100.00", bom=[bought("7407.21", brass, origin="DE")])
    if claim is not None:
        good["claim"] = claim
    good.update(extra)
    return good


def test_without_a_claim_the_present_order_stays():
    result = run(contact_carrier())

    assert (result.criterion, result.satisfied) == ("CTC", ("CTC", "RVC"))


def test_the_exporter_claims_rvc_and_it_is_declared_because_it_holds():
    result = run(contact_carrier("RVC"))

    assert result.originating is True
    assert result.criterion == "RVC"
    assert result.exit_code == 0
    assert "CRITERION_CLAIM_NOT_MET" not in codes(result)
    assert "Criterion claimed by the exporter: RVC (declared)." in result.explanation


def test_a_claim_that_does_not_hold_makes_the_good_not_originating_for_it_naming_what_holds():
    result = run(contact_carrier("CR"))

    assert result.originating is False
    assert result.criterion is None
    assert result.satisfied == ("CTC", "RVC")  # the facts stay
    assert result.exit_code == 1
    found = issue(result, "CRITERION_CLAIM_NOT_MET")
    assert found.severity == "warning"
    assert found.path == "good.claim"
    assert "CR" in found.message
    assert "it qualifies under CTC, RVC instead" in found.message
    assert result.as_dict()["criterion"] is None


def test_a_claimed_rvc_that_fails_says_no_criterion_holds_when_none_does():
    # brass of 85.38 itself: CTH fails (70.00 > 10 % de minimis), RVC (100-70)/100 = 30 % fails
    good = make_good("8538.90", fob="100.00", bom=[bought("8538.90", "70.00", origin="DE")])
    good["claim"] = "RVC"

    found = issue(run(good), "CRITERION_CLAIM_NOT_MET")

    assert "no criterion holds" in found.message


@pytest.mark.parametrize("claim", ["ctc", "PE ", "WO"])
def test_claims_are_read_in_any_case(claim):
    result = run(contact_carrier(claim))

    assert ("CRITERION_CLAIM_NOT_MET" in codes(result)) is (claim.strip().upper() != "CTC")


def test_an_unknown_claim_is_input_invalid():
    result = run(contact_carrier("DMI"))

    found = issue(result, "INPUT_INVALID")
    assert found.path == "good.claim"
    assert "WO, PE, CTC, RVC, CR" in found.hint
    assert result.originating is None


def test_a_claimed_rvc_that_fails_gets_remedies_for_rvc():
    # CTH holds (74.07 -> 85.38); RVC (100 - 65) / 100 = 35 % < 40 %: claimed, it fails
    good = contact_carrier("RVC", brass="65.00")
    answer = remedies(load_shipments(json.dumps(shipment(good)))[0])

    assert answer.claim == "RVC"
    assert answer.remedies
    assert all(r.criterion == "RVC" for r in answer.remedies)


def test_claiming_rvc_drops_the_dmi_that_only_the_change_of_heading_needed():
    # a non-originating 85.38 insert (8.00 of 100.00) fails CTH but is within de minimis
    insert = bought("8538.90", "8.00", origin="DE", code="INSERT")
    brass = bought("7407.21", "20.00", origin="DE", code="BRASS")
    good = make_good("8538.90", fob="100.00", bom=[insert, brass])

    declared = run(good)
    claimed = run({**good, "claim": "RVC"})

    assert (declared.criterion, declared.annotations) == ("CTC", ("DMI",))
    assert (claimed.criterion, claimed.annotations) == ("RVC", ())  # 72.00 %: no DMI needed
