"""RCEP Parties and the dates the Agreement entered into force for each (``data/parties.csv``).

Myanmar is in force per China but its ratification was not accepted by New Zealand and the
Philippines: it is reported as ``PARTY_CONTESTED``, never assumed either way.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rcep_rules.datafiles import data_path, read_csv


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    asean: bool
    entry_into_force: date
    contested: bool
    note: str

    def in_force_on(self, day: date) -> bool:
        return day >= self.entry_into_force


@dataclass(frozen=True, slots=True)
class Parties:
    by_code: dict[str, Party]

    @classmethod
    def load(cls, path: Path | None = None) -> "Parties":
        parties = {}
        for _, row in read_csv(path or data_path("parties.csv")):
            parties[row["iso2"]] = Party(
                code=row["iso2"],
                name=row["name"],
                asean=row["asean"] == "1",
                entry_into_force=date.fromisoformat(row["entry_into_force"]),
                contested=row["status"] == "contested",
                note=row["note"],
            )
        return cls(parties)

    def get(self, code: str | None) -> Party | None:
        return self.by_code.get(code or "")

    def __iter__(self):
        return iter(self.by_code.values())
