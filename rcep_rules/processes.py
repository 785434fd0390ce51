"""The process vocabulary (``data/processes.csv``) and the minimal operations of Art 3.6.

Art 3.6(c) and (h) make sifting, screening, sorting, sharpening, cutting, slitting, grinding,
bending, coiling, painting and polishing minimal only when *simple*: needing no special skills
and no machines, apparatus or equipment especially produced or installed for it (footnote).
Each of those codes (``cutting``, ``grinding``, ...) is the simple form, minimal; what a machine
shop records instead (``laser_cutting``, ``precision_grinding``, ``cnc_bending``,
``crushing_screening``, ...) is not minimal, and ``machine_forms`` names them for the hint.
"""

from dataclasses import dataclass
from pathlib import Path

from rcep_rules.datafiles import data_path, read_csv


@dataclass(frozen=True, slots=True)
class Process:
    code: str
    name: str
    minimal: bool
    article: str
    machine_forms: tuple[str, ...] = ()  # the not-simple processes of a minimal operation


@dataclass(frozen=True, slots=True)
class Processes:
    by_code: dict[str, Process]

    @classmethod
    def load(cls, path: Path | None = None) -> "Processes":
        return cls(
            {
                row["code"]: Process(
                    row["code"],
                    row["name"],
                    row["minimal"] == "1",
                    row["article"],
                    tuple((row.get("machine_forms") or "").split()),
                )
                for _, row in read_csv(path or data_path("processes.csv"))
            }
        )

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def only_minimal(self, codes: tuple[str, ...]) -> bool:
        """True when every process is a minimal operation of Art 3.6 (a combination of them,
        Art 3.6(k), is minimal too). False when a code is unknown: that is PROCESS_UNKNOWN,
        and nothing is said of processes nobody can read.

        >>> processes = Processes.load()
        >>> processes.only_minimal(("cutting", "marking"))
        True
        >>> processes.only_minimal(("laser_cutting",))
        False
        >>> processes.only_minimal(("grinding_cnc", "grinding"))
        False
        """
        by_code = self.by_code
        return bool(codes) and all(c in by_code and by_code[c].minimal for c in codes)

    def machine_forms(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        """The not-simple processes of the minimal operations among ``codes``, in order."""
        found: dict[str, None] = {}
        for code in codes:
            process = self.by_code.get(code)
            if process is not None:
                found.update(dict.fromkeys(process.machine_forms))
        return tuple(found)

    def __iter__(self):
        return iter(self.by_code.values())
