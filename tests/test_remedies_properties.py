"""Properties of remedies, whatever the bill of materials (hypothesis, on the goods of
test_properties): the first remedy, applied to the goods file by hand, makes the good
originating under the criterion it names; a good that is evaluated and not originating always
has one (PE at worst: every material that counts bought originating)."""

import copy
import json
import re
from decimal import Decimal

from builders import run, shipment
from hypothesis import given
from test_properties import SETTINGS, goods

from rcep_rules import load_shipments, remedies
from rcep_rules.remedies import OBTAIN_PROOF, RECORD_PROCESS


def _line(good: dict, path: str) -> dict:
    """The line of a goods file at a path such as good.bom[0].bom[2]."""
    item = good
    for index in re.findall(r"\.bom\[(\d+)\]", path):
        item = item["bom"][int(index)]
    return item


def _apply_by_hand(good: dict, remedy, exporter: str, day: str) -> dict:
    """What the clerk does: a proof from the material's Party, or buying it originating in
    the exporting Party with a supplier declaration."""
    changed = copy.deepcopy(good)
    for change in remedy.changes:
        for path in change.paths:
            line = _line(changed, path)
            if change.action == OBTAIN_PROOF:
                assert line.get("origin_country") == change.origin_country
            else:
                line["origin_country"] = exporter
            line["proof"] = {"type": change.proof_type, "reference": "NEW", "issue_date": day}
    return changed


@SETTINGS
@given(goods())
def test_applying_the_first_remedy_makes_the_good_originating(good):
    s = shipment(good)
    result = remedies(load_shipments(json.dumps(s))[0])
    ev = result.evaluation
    if ev.originating is None:
        return
    if ev.originating:
        assert result.exit_code == 0 and result.margin is not None
        margin = result.margin
        # the price floor is checked by the engine, and is never above the price itself
        assert margin.fob_floor is None or (
            margin.fob_floor_verified and margin.fob_floor <= Decimal(s["good"]["fob"])
        )
        return
    assert result.exit_code == 1 and result.remedies, result.explanation
    first = result.remedies[0]
    assert first.verified and first.changes[0].action != RECORD_PROCESS
    after = run(_apply_by_hand(good, first, s["exporting_party"], s["shipment_date"]))
    assert after.originating is True
    assert first.criterion in after.satisfied
    ranks = [r.rank() for r in result.remedies]
    assert ranks == sorted(ranks)
