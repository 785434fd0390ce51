"""make_issue is Issue(...) made faster (the engine reports some issues per sub-assembly)."""

import dataclasses

import pytest

from rcep_rules.issues import WARNING, Issue, make_issue


def test_make_issue_makes_the_same_frozen_issue():
    facts = {"code": "8538.90", "rule_code": "85.38", "rule_text": "CTH or RVC40"}
    fast = make_issue("PSR_TRANSPOSED", "good.bom[0]", facts, WARNING)
    slow = Issue("PSR_TRANSPOSED", "good.bom[0]", facts, WARNING)
    assert type(fast) is Issue
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert fast.as_dict() == slow.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.severity = "error"  # type: ignore[misc]
