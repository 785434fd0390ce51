"""RCEP rules-of-origin engine and pre-review.

Pure Python: no Odoo, no XML, no network. Implements Chapter 3, Section A of the RCEP
Agreement (Arts 3.2-3.12) and the Annex 3A product-specific rules (PSR) that are loaded
from ``data/psr`` and from user rule files.

Typical use::

    from rcep_rules import load_shipments, evaluate, remedies
    shipment = load_shipments(text)[0]
    result = evaluate(shipment)
    result.originating, result.criterion, result.issues
    answer = remedies(shipment)       # what would make it qualify, or its margin
    answer.remedies[0].changes, answer.margin, answer.as_dict()
"""

__version__ = "0.1.0"

from rcep_rules.evaluation import Evaluation, evaluate, review
from rcep_rules.goods import GoodsFileError, load_shipments, parse_shipment
from rcep_rules.issues import Issue
from rcep_rules.reference import Reference
from rcep_rules.remedies import Remedies, remedies

__all__ = [
    "Evaluation",
    "GoodsFileError",
    "Issue",
    "Reference",
    "Remedies",
    "__version__",
    "evaluate",
    "load_shipments",
    "parse_shipment",
    "remedies",
    "review",
]
