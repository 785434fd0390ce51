"""The facts of a verdict, with no other part of the engine: why a BOM line is or is not
originating (the reason codes the evaluation gives and the wording reads), the verdict on one
line (``MaterialVerdict``) and on a good (``Verdict``), and the exact arithmetic they share.

The evaluation (``rcep_rules.evaluation``) decides them; the explanation (``rcep_rules.explain``),
the command line and Odoo only read them, so they import this module and not the evaluation.
"""

from decimal import Context, Decimal
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the type only: this module imports nothing else of the engine)
    from rcep_rules.goods import Material

ZERO = Decimal(0)
# Quantities and money have at most 24 significant digits (goods.py); products and sums of
# them stay exact with this precision, so no threshold is ever decided by rounding.
EXACT = Context(prec=80)
HUNDRED = Decimal(100)
PREFERENCE = ("WO", "PE", "CTC", "RVC", "CR")  # the criterion declared: the first that holds

# Why a BOM line is, or is not, originating (worded in rcep_rules.explain).
PROOF = "proof"
CUMULATION = "cumulation"
INDIRECT = "indirect"
ROLLED_UP = "rolled_up"
TRANSPARENT = "transparent"
NO_PROOF = "no_proof"
NON_PARTY = "non_party"
ORIGIN_UNKNOWN = "origin_unknown"
PROOF_EXPIRED = "proof_expired"
PROOF_NOT_YET_VALID = "proof_not_yet_valid"
PROOF_INVALID = "proof_invalid"
ORIGINATING = frozenset({PROOF, CUMULATION, INDIRECT, ROLLED_UP})


class Verdict(Enum):
    """The verdict on a good: its one mapping to a label (``Evaluation.originating`` is True,
    False or None when review errors stopped the evaluation).

    >>> Verdict.of(True).label, Verdict.of(False).label, Verdict.of(None).label
    ('ORIGINATING', 'NOT ORIGINATING', 'NOT EVALUATED')
    """

    ORIGINATING = "originating"
    NOT_ORIGINATING = "not_originating"
    NOT_EVALUATED = "not_evaluated"

    @classmethod
    def of(cls, originating: bool | None) -> "Verdict":
        if originating is None:
            return cls.NOT_EVALUATED
        return cls.ORIGINATING if originating else cls.NOT_ORIGINATING

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


class MaterialVerdict:
    """The verdict on one BOM line. ``ctc`` is pass, fail, ignored (packing and accessories,
    Arts 3.8-3.9) or n/a (originating materials, or no CTC test where it was judged)."""

    __slots__ = (
        "counted",
        "criterion",
        "ctc",
        "ctc_key",
        "judged_by",
        "material",
        "note",
        "originating",
        "reason",
        "value",
    )

    def __init__(
        self,
        material: "Material",
        reason: str,
        value: Decimal,
        ctc: str,
        judged_by: str,
        criterion: str | None = None,
        counted: Decimal | None = None,
        ctc_key=None,
    ):
        self.material = material
        self.originating = reason in ORIGINATING
        self.reason = reason
        self.value = value
        self.ctc = ctc
        self.judged_by = judged_by  # path of the good or sub-assembly whose rule judged it
        self.criterion = criterion  # of a sub-assembly that qualifies on its own
        self.counted = value if counted is None else counted  # per unit of the judging good
        self.ctc_key = ctc_key  # the code compared in the CTC test (another HS edition's)
        self.note = ""  # why a sub-assembly does not qualify on its own
