"""Harmonized System codes: normalisation, validation per HS edition, HS2022 -> HS2012 correlation.

Annex 3A is written in HS2012 (headnote 9); China applies the HS2022 transposition (GACC 2022
No.129). Goods are coded in HS2022 unless they say otherwise. The UNSD correlation table is
statistical, not legal: it is used only to find which HS2012 rule may serve an HS2022 code, and
every such use is reported (``PSR_TRANSPOSED``).
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rcep_rules.datafiles import data_path, read_csv

HS2012 = "HS2012"
HS2022 = "HS2022"
VERSIONS = (HS2012, HS2022)
DEFAULT_VERSION = HS2022

_STRIP = str.maketrans("", "", ". -")


def normalise(code: object) -> str | None:
    """Digits of an HS code without dots, spaces or dashes, or None if it is not digits.

    >>> normalise("8538.90"), normalise(" 8517 13 00 "), normalise("85A8")
    ('853890', '85171300', None)
    """
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str):
        return None
    digits = code.strip().translate(_STRIP).replace(" ", "")
    return digits if digits.isascii() and digits.isdigit() else None


def display(code: str) -> str:
    """Customary notation: chapter ``85``, heading ``85.38``, subheading ``8538.90``."""
    if len(code) == 4:
        return f"{code[:2]}.{code[2:]}"
    if len(code) >= 6:
        return f"{code[:4]}.{code[4:6]}" + (f".{code[6:]}" if len(code) > 6 else "")
    return code


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """The chapters, headings and subheadings of one HS edition."""

    version: str
    descriptions: dict[str, str]

    @classmethod
    def load(cls, version: str, path: Path) -> "Nomenclature":
        descriptions = {}
        for _, row in read_csv(path):
            code = row["hscode"]
            if code.isdigit() and len(code) in (2, 4, 6) and code != "999999":
                descriptions[code] = row["description"]
        return cls(version, descriptions)

    def __contains__(self, code: str) -> bool:
        return code in self.descriptions

    def describe(self, code: str) -> str:
        return self.descriptions.get(code, "")


@dataclass(frozen=True, slots=True)
class Correlation:
    """UNSD HS2022 -> HS2012 correlation: for each HS2022 subheading, its HS2012 subheadings."""

    targets: dict[str, tuple[str, ...]]
    relationship: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> "Correlation":
        targets: dict[str, list[str]] = defaultdict(list)
        relationships: dict[str, list[str]] = defaultdict(list)
        with open(path, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
        # The UNSD sheet starts with a title row ("Between,,") before the header.
        for line in lines[2:]:
            new, old, rel = [*line.split(","), "", ""][:3]
            if new.isdigit() and old.isdigit():
                targets[new].append(old)
                if rel not in relationships[new]:
                    relationships[new].append(rel)
        return cls(
            {k: tuple(v) for k, v in targets.items()},
            {k: "/".join(v) for k, v in relationships.items()},
        )

    def to_hs2022(self, code6: str) -> tuple[str, ...]:
        """The HS2022 subheadings that correspond to an HS2012 subheading."""
        return tuple(new for new, olds in self.targets.items() if code6 in olds)

    def to_hs2012(self, code6: str) -> tuple[tuple[str, ...], str]:
        """The HS2012 subheadings that correspond to an HS2022 subheading, and the relationship."""
        return self.targets.get(code6, ()), self.relationship.get(code6, "")


def default_nomenclatures() -> dict[str, Nomenclature]:
    return {
        HS2022: Nomenclature.load(HS2022, data_path("hs", "hs2022_harmonized-system.csv")),
        HS2012: Nomenclature.load(HS2012, data_path("hs", "hs2012_uncomtrade.csv")),
    }


def default_correlation() -> Correlation:
    return Correlation.load(
        data_path(
            "hs_correlation",
            "HS2022toHS2012ConversionAndCorrelationTables__HS2022_HS2012_Correlations.csv",
        )
    )
