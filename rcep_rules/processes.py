"""The process vocabulary (``data/processes.csv``) and the minimal operations of Art 3.6."""

from dataclasses import dataclass
from pathlib import Path

from rcep_rules.datafiles import data_path, read_csv


@dataclass(frozen=True, slots=True)
class Process:
    code: str
    name: str
    minimal: bool
    article: str


@dataclass(frozen=True, slots=True)
class Processes:
    by_code: dict[str, Process]

    @classmethod
    def load(cls, path: Path | None = None) -> "Processes":
        return cls(
            {
                row["code"]: Process(
                    row["code"], row["name"], row["minimal"] == "1", row["article"]
                )
                for _, row in read_csv(path or data_path("processes.csv"))
            }
        )

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def only_minimal(self, codes: tuple[str, ...]) -> bool:
        """True when every process is a minimal operation of Art 3.6 (a combination of them,
        Art 3.6(k), is minimal too)."""
        return bool(codes) and all(self.by_code[c].minimal for c in codes if c in self.by_code)

    def __iter__(self):
        return iter(self.by_code.values())
