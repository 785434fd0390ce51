"""Annex 3A product-specific rules (PSR): the rule grammar and the rule table.

Headnotes of Annex 3A (RCEP.md section 3): alternatives joined by "or" -- meeting any one is
enough (headnote 4) and the exporter chooses (headnote 8); CTC requirements and their
exclusions apply to non-originating materials only (headnotes 5, 6); the defined terms are
RVCnn, CC, CTH, CTSH, WO (also met as PE) and CR (headnote 7). The table is read from CSV
files (``hs_version, level, code, description, psr, legibility, source_url, locator``); the most
specific row wins (subheading, then heading, then chapter). Rule text that the grammar does not
know is a load-time error naming the file and the line: nothing is silently ignored and no
rule is ever inferred by pattern.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rcep_rules.hs import HS2012, HS2022, VERSIONS, Correlation, Nomenclature, display, normalise

COLUMNS = (
    "hs_version",
    "level",
    "code",
    "description",
    "psr",
    "legibility",
    "source_url",
    "locator",
)
LEVELS = {"chapter": 2, "heading": 4, "subheading": 6}
LEGIBILITY = ("clear", "partial")


# --- the grammar -------------------------------------------------------------------------------


class RuleSyntaxError(ValueError):
    """Rule text the grammar does not know."""


@dataclass(frozen=True, slots=True)
class WO:
    def __str__(self) -> str:
        return "WO"


@dataclass(frozen=True, slots=True)
class CR:
    def __str__(self) -> str:
        return "CR"


@dataclass(frozen=True, slots=True)
class Incomplete:
    """The illegible rest of a partly read rule ("[cut off]"): never holds."""

    def __str__(self) -> str:
        return "[cut off]"


@dataclass(frozen=True, slots=True)
class RVC:
    threshold: Decimal

    def __str__(self) -> str:
        return f"RVC{self.threshold}"


CTC_DIGITS = {"CC": 2, "CTH": 4, "CTSH": 6}


@dataclass(frozen=True, slots=True)
class CTC:
    """A change in tariff classification at chapter (CC), heading (CTH) or subheading (CTSH)
    level; ``excluded`` are code prefixes from which non-originating materials may not come
    (of any level: "except from subheading 8471.30 and heading 85.04").

    The long form "a change to headings 84.07 through 84.08 from any heading outside that
    group" is a CTH judged against the whole ``group``: a material of any heading of the group
    fails it. ``target`` is what the long form says the rule is for (checked against the row's
    code when the table is loaded); ``text`` is the long form as written."""

    kind: str
    excluded: tuple[str, ...] = ()
    excluded_text: str = ""
    group: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    target_text: str = ""
    text: str = ""

    @property
    def digits(self) -> int:
        return CTC_DIGITS[self.kind]

    def own(self, good_hs: str) -> str | tuple[str, ...]:
        """The prefix (or, for a group, the prefixes) a material may not share with the good."""
        return self.group or good_hs[: CTC_DIGITS[self.kind]]

    def passes(self, material_hs: str, good_hs: str) -> bool:
        if material_hs.startswith(self.own(good_hs)):
            return False
        return not (self.excluded and material_hs.startswith(self.excluded))

    def __str__(self) -> str:
        if self.text:
            return self.text
        return self.kind + (f" except from {self.excluded_text}" if self.excluded else "")


@dataclass(frozen=True, slots=True)
class MaterialCap:
    """A proviso on named materials (``CTH, provided that the non-originating materials of
    heading 85.42 do not exceed 10 per cent of the FOB value of the good``): the non-originating
    materials of the ``codes`` named (prefixes of any level), counted as for the change in
    tariff classification, are worth no more than ``share`` per cent of the good's FOB value,
    compared exactly. It is a condition of the term it follows, as "and" would be."""

    codes: tuple[str, ...]
    share: Decimal
    codes_text: str

    def __str__(self) -> str:
        return (
            f"provided that the non-originating materials of {self.codes_text} do not exceed "
            f"{self.share} per cent of the FOB value of the good"
        )


@dataclass(frozen=True, slots=True)
class And:
    items: tuple

    def __str__(self) -> str:
        parts: list[str] = []
        for item in self.items:
            if isinstance(item, MaterialCap) and parts:
                parts[-1] += f", {item}"
            else:
                parts.append(_wrap(item))
        return " and ".join(parts)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple

    def __str__(self) -> str:
        return " or ".join(_wrap(i) for i in self.items)


def _wrap(node) -> str:
    return f"({node})" if isinstance(node, Or | And) else str(node)


Rule = WO | CR | Incomplete | RVC | CTC | MaterialCap | And | Or

_TOKEN = re.compile(
    r"\s*(?:(?P<cut>\[cut off\])|(?P<code>\d{2}(?:\.?\d{2}){0,2})(?![\w.])"
    r"|(?P<number>\d+(?:\.\d+)?)(?![\w.])|(?P<word>[A-Za-z]+(?:-[A-Za-z]+)*\d*)"
    r"|(?P<punct>[(),;%]))"
)
_UNIT_KIND = {"chapter": "CC", "heading": "CTH", "subheading": "CTSH"}


def _tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise RuleSyntaxError(f"unexpected text {text[pos : pos + 20]!r}")
        pos = match.end()
        tokens.append(match.group(match.lastgroup))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        toks = _tokens(text)
        self.tokens = [t for i, t in enumerate(toks) if not _is_dropped(toks, i)]
        self.pos = 0

    def peek(self, offset: int = 0) -> str | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise RuleSyntaxError("rule ends too early")
        self.pos += 1
        return token

    def parse(self) -> Rule:
        if not self.tokens:
            raise RuleSyntaxError("empty rule")
        node = self.expr()
        if self.peek() is not None:
            raise RuleSyntaxError(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Rule:
        items = [self.term()]
        while (self.peek() or "").lower() == "or":
            self.take()
            items.append(self.term())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def term(self) -> Rule:
        items = [self.factor()]
        while (self.peek() or "").lower() == "and":
            self.take()
            items.append(self.factor())
        return items[0] if len(items) == 1 else And(tuple(items))

    def factor(self) -> Rule:
        node = self.simple()
        if self.word() == "provided" or (self.peek() == "," and self.word(1) == "provided"):
            node = And((node, self.proviso()))
        return node

    def simple(self) -> Rule:
        token = self.take()
        if token == "(":
            node = self.expr()
            if self.take() != ")":
                raise RuleSyntaxError("missing ')'")
            return node
        word = token.upper()
        if token == "[cut off]":
            return Incomplete()
        if word in ("WO", "PE"):
            return WO()
        if word == "CR":
            return CR()
        if re.fullmatch(r"RVC\d{1,2}", word):
            return RVC(Decimal(word[3:]))
        if word == "RVC" and re.fullmatch(r"\d{2}", self.peek() or ""):  # "RVC 40"
            return RVC(Decimal(self.take()))
        if word in CTC_DIGITS:
            if self.word() == "except":
                return self.exception(CTC(word))
            return CTC(word)
        if word == "CHANGE" or (word == "A" and self.word() == "change"):
            start = self.pos - 1
            if word == "CHANGE":
                self.pos -= 1  # the long form without its article
            return self.long_form(start)
        raise RuleSyntaxError(f"unknown term {token!r}")

    def word(self, offset: int = 0) -> str:
        return (self.peek(offset) or "").lower()

    def expect(self, *words: str) -> None:
        for word in words:
            found = self.peek()
            if (found or "").lower() != word:
                raise RuleSyntaxError(
                    f"expected {word!r}" + (f", not {found!r}" if found else ", the rule ends")
                )
            self.pos += 1

    def unit(self) -> str:
        token = self.take()
        unit = token.lower()
        unit = unit[:-1] if unit.endswith("s") else unit
        if unit not in LEVELS:
            raise RuleSyntaxError(f"expected chapter, heading or subheading, not {token!r}")
        return unit

    def long_form(self, start: int) -> CTC:
        """ "a change to headings 84.07 through 84.08 from any heading outside that group",
        "a change to heading 85.04 from any other heading, except from ...", "a change from
        any other heading": the long forms of CC, CTH and CTSH."""
        self.expect("change")
        target: tuple[str, ...] = ()
        target_text = ""
        if self.word() == "to":
            self.take()
            mark = self.pos
            target = tuple(self.codes(LEVELS[self.unit()], mixed=False))
            target_text = self.joined(mark, self.pos)
        self.expect("from", "any")
        other = self.word() == "other"
        if other:
            self.take()
        unit = self.unit()
        kind, group = _UNIT_KIND[unit], ()
        if self.word() == "outside":
            self.expect("outside", "that", "group")
            if not target:
                raise RuleSyntaxError("'outside that group' needs 'a change to ...' first")
            if any(len(code) != LEVELS[unit] for code in target):
                raise RuleSyntaxError(
                    f"a group of {target_text} judged at {unit} level is not understood"
                )
            group = target
        elif self.word() == "including" or (self.peek() == "," and self.word(1) == "including"):
            if self.peek() == ",":
                self.take()
            self.expect("including", "another")
            self.unit()
            self.expect("within", "that", "group")  # any other heading, those of the group too
        elif not other:
            raise RuleSyntaxError(f"'from any {unit}' needs 'other' or 'outside that group'")
        term = CTC(kind, group=group, target=target, target_text=target_text)
        if self.peek() == "," and self.word(1) == "except":
            self.take()
        if self.word() == "except":
            term = self.exception(term)
        text = self.joined(start, self.pos)
        return CTC(
            kind,
            term.excluded,
            term.excluded_text,
            group,
            target,
            target_text,
            text[0].upper() + text[1:],
        )

    def exception(self, term: CTC) -> CTC:
        self.take()
        if self.take().lower() != "from":
            raise RuleSyntaxError("'except' must be followed by 'from'")
        start = self.pos
        digits = self.exception_unit()
        prefixes = self.codes(digits, mixed=True)
        text = self.joined(start, self.pos)
        return CTC(term.kind, tuple(prefixes), text, term.group, term.target, term.target_text)

    def exception_unit(self) -> int:
        token = self.take().lower()
        unit = token[:-1] if token.endswith("s") else token
        if unit not in LEVELS:
            raise RuleSyntaxError(
                f"'except from' needs chapter, heading or subheading, not {unit!r}"
            )
        return LEVELS[unit]

    def codes(self, digits: int, mixed: bool) -> list[str]:
        """A list of codes such as "85.35 through 85.37 and 85.38"; with ``mixed``, a new level
        may start after a separator ("subheading 8471.30 and heading 85.04")."""
        prefixes = [self.code(digits)]
        while True:
            nxt, after = self.word(), self.peek(1) or ""
            if nxt in (",", "and", "or") and _is_code(after):
                self.take()
                prefixes.append(self.code(digits))
            elif (
                mixed
                and nxt in (",", "and", "or")
                and after.lower().rstrip("s") in LEVELS
                and _is_code(self.peek(2) or "")
            ):
                self.take()
                digits = LEVELS[self.take().lower().rstrip("s")]
                prefixes.append(self.code(digits))
            elif nxt in ("through", "to") and _is_code(after):
                self.take()
                last = self.code(digits)
                first = prefixes.pop()
                if int(last) < int(first):
                    raise RuleSyntaxError(f"range {first} to {last} runs backwards")
                prefixes += [str(n).zfill(digits) for n in range(int(first), int(last) + 1)]
            else:
                return prefixes

    def proviso(self) -> MaterialCap:
        """ "[,] provided that the [value of the] non-originating materials of heading 85.42 do
        not exceed 10 per cent of the FOB value [of the good]". Any other proviso is refused:
        it is not ignored."""
        if self.peek() == ",":
            self.take()
        start = self.pos
        self.expect("provided", "that", "the")
        if self.word() == "value":
            self.expect("value", "of", "the")
        try:
            self.expect("non-originating", "materials", "of")
            mark = self.pos
            codes = self.codes(self.exception_unit(), mixed=True)
            codes_text = self.joined(mark, self.pos)
            if self.word() in ("do", "does"):
                self.take()
            self.expect("not", "exceed")
            share = self.take()
            if not re.fullmatch(r"\d+(\.\d+)?", share) or Decimal(share) > 100:
                raise RuleSyntaxError(f"{share!r} is not a percentage")
            if self.peek() == "%":
                self.take()
            else:
                if self.word() == "percent":
                    self.take()
                else:
                    self.expect("per", "cent")
            self.expect("of", "the", "fob", "value")
            if self.word() == "of":
                self.expect("of", "the", "good")
        except RuleSyntaxError as exc:
            raise RuleSyntaxError(
                f"the proviso {self.joined(start, len(self.tokens))!r} is not understood ({exc}); "
                "the grammar knows 'provided that the non-originating materials of heading "
                "85.42 do not exceed 10 per cent of the FOB value of the good'"
            ) from None
        return MaterialCap(tuple(codes), Decimal(share), codes_text)

    def joined(self, start: int, end: int) -> str:
        return " ".join(self.tokens[start:end]).replace(" ,", ",").replace(" %", "%")

    def code(self, digits: int) -> str:
        token = self.take()
        code = normalise(token)
        if code is None or len(code) != digits:
            raise RuleSyntaxError(f"{token!r} is not a {digits}-digit code")
        return code


def _is_code(token: str) -> bool:
    return normalise(token) is not None


def _is_dropped(tokens: list[str], i: int) -> bool:
    # "CTH; or RVC40" is written both with and without the semicolon.
    return tokens[i] == ";" and i + 1 < len(tokens) and tokens[i + 1].lower() in ("or", "and")


def parse_rule(text: str) -> Rule:
    """Parse Annex 3A rule text into a small tree.

    >>> str(parse_rule("CTH except from heading 85.42 or RVC40"))
    'CTH except from heading 85.42 or RVC40'
    """
    return _Parser(text).parse()


def alternatives(rule: Rule) -> tuple[Rule, ...]:
    """The top-level alternatives of a rule (headnote 4: meeting any one is enough)."""
    return rule.items if isinstance(rule, Or) else (rule,)


@dataclass(frozen=True, slots=True)
class Branch:
    """One way to meet a rule: terms that must all hold, and the criterion it gives (the Form
    RCEP code: CTC for CC/CTH/CTSH, RVC when a value test is part of it, CR)."""

    terms: tuple
    criterion: str | None

    @classmethod
    def of(cls, terms: tuple) -> "Branch":
        kinds = {type(t) for t in terms}
        criterion = (
            "RVC" if RVC in kinds else "CTC" if CTC in kinds else "CR" if CR in kinds else None
        )
        return cls(terms, criterion)


def branches(rule: Rule) -> tuple[Branch, ...]:
    """The rule as alternatives of plain terms (disjunctive normal form), so that a rule such
    as "CTSH and (RVC40 or CR)" is met by "CTSH and RVC40" or by "CTSH and CR"."""
    return tuple(Branch.of(terms) for terms in _dnf(rule))


def _dnf(rule: Rule) -> list[tuple]:
    if isinstance(rule, Or):
        return [terms for item in rule.items for terms in _dnf(item)]
    if isinstance(rule, And):
        combined: list[tuple] = [()]
        for item in rule.items:
            combined = [left + right for left in combined for right in _dnf(item)]
        return combined
    return [(rule,)]


def ctc_terms(rule: Rule) -> tuple[CTC, ...]:
    return tuple(dict.fromkeys(a for a in atoms(rule) if isinstance(a, CTC)))


def atoms(rule: Rule) -> Iterable[Rule]:
    if isinstance(rule, Or | And):
        for item in rule.items:
            yield from atoms(item)
    else:
        yield rule


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleRow:
    hs_version: str
    level: str
    code: str
    description: str
    psr: str
    legibility: str
    source_url: str
    locator: str
    rule: Rule = field(compare=False)
    origin: str = field(default="", compare=False)
    branches: tuple[Branch, ...] = field(default=(), compare=False)
    ctc_terms: tuple[CTC, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.hs_version, self.code

    @property
    def partial(self) -> bool:
        return self.legibility == "partial"

    def as_csv(self) -> dict[str, str]:
        return {
            "hs_version": self.hs_version,
            "level": self.level,
            "code": display(self.code),
            "description": self.description,
            "psr": self.psr,
            "legibility": self.legibility,
            "source_url": self.source_url,
            "locator": self.locator,
        }


@dataclass(frozen=True)
class PsrFileError(Exception):
    """A rule file that cannot be loaded: every bad line is named."""

    path: str
    problems: tuple[tuple[int, str], ...]

    def __str__(self) -> str:
        return "\n".join(f"{self.path}:{line}: {problem}" for line, problem in self.problems)


def read_rule_file(
    path: Path, nomenclatures: dict[str, Nomenclature] | None = None
) -> list[RuleRow]:
    """Read and validate a PSR CSV file; raise PsrFileError naming each bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PsrFileError(str(path), ((0, f"cannot read the file: {exc.strerror}"),)) from exc
    except UnicodeDecodeError as exc:
        raise PsrFileError(str(path), ((0, f"not UTF-8 text: {exc.reason}"),)) from exc
    problems: list[tuple[int, str]] = []
    rows: list[RuleRow] = []
    seen: dict[tuple[str, str], int] = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            problem = f"the header must be {','.join(COLUMNS)}, not {','.join(header)}"
            raise PsrFileError(str(path), ((1, problem),))
        for row in reader:
            line = reader.line_num
            try:
                parsed = _row(row, nomenclatures, f"{path}:{line}")
            except ValueError as exc:
                problems.append((line, str(exc)))
                continue
            if parsed.key in seen:
                problems.append((line, f"{parsed.code} repeats line {seen[parsed.key]}"))
                continue
            seen[parsed.key] = line
            rows.append(parsed)
    except csv.Error as exc:
        problems.append((reader.line_num, f"not a readable CSV file: {exc}"))
    if problems:
        raise PsrFileError(str(path), tuple(problems))
    return rows


def rows_from_dicts(
    dicts: Iterable[dict], nomenclatures: dict[str, Nomenclature] | None = None, origin: str = ""
) -> list[RuleRow]:
    """Rule rows kept elsewhere (an ERP's table) in the CSV columns; raise ValueError naming
    the first bad one."""
    rows = []
    for index, values in enumerate(dicts, start=1):
        try:
            rows.append(_row(values, nomenclatures, f"{origin}#{index}"))
        except ValueError as exc:
            raise ValueError(f"{origin} row {index} ({values.get('code')}): {exc}") from None
    return rows


def _row(row: dict, nomenclatures: dict[str, Nomenclature] | None, origin: str) -> RuleRow:
    if None in row or any(row.get(c) is None for c in COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} columns")
    values = {c: row[c].strip() for c in COLUMNS}
    version, level = values["hs_version"], values["level"]
    if version not in VERSIONS:
        raise ValueError(f"hs_version must be one of {', '.join(VERSIONS)}, not {version!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be chapter, heading or subheading, not {level!r}")
    code = normalise(values["code"])
    if code is None or len(code) != LEVELS[level]:
        raise ValueError(f"code {values['code']!r} is not a {level} ({LEVELS[level]} digits)")
    if nomenclatures and code not in nomenclatures[version]:
        raise ValueError(f"{display(code)} does not exist in {version}")
    if values["legibility"] not in LEGIBILITY:
        raise ValueError(f"legibility must be clear or partial, not {values['legibility']!r}")
    if not values["source_url"]:
        raise ValueError("source_url is empty: say where the rule was read")
    try:
        rule = parse_rule(values["psr"])
    except RuleSyntaxError as exc:
        raise ValueError(f"rule {values['psr']!r}: {exc}") from None
    if any(isinstance(a, Incomplete) for a in atoms(rule)) and values["legibility"] != "partial":
        raise ValueError("'[cut off]' is only allowed in a row marked partial")
    for term in atoms(rule):
        if (
            isinstance(term, CTC)
            and term.target
            and not any(t.startswith(code) or code.startswith(t) for t in term.target)
        ):
            raise ValueError(
                f"the rule is written for {term.target_text}, which does not include "
                f"{display(code)}"
            )
    return RuleRow(
        version,
        level,
        code,
        values["description"],
        values["psr"],
        values["legibility"],
        values["source_url"],
        values["locator"],
        rule,
        origin,
        branches(rule),
        ctc_terms(rule),
    )


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """The rule that applies to a good, and how it was found."""

    row: RuleRow
    code: str  # the good's 6-digit code
    version: str  # the good's HS edition
    mapped: tuple[str, ...] = ()  # HS2012 codes, when transposed
    relationship: str = ""

    @property
    def transposed(self) -> bool:
        return self.row.hs_version != self.version


@dataclass(frozen=True, slots=True)
class RuleNotFound:
    code: str
    version: str
    detail: str = ""


@dataclass(frozen=True)
class ImportReport:
    added: tuple[RuleRow, ...]
    unchanged: tuple[RuleRow, ...]
    conflicts: tuple[tuple[RuleRow, RuleRow], ...]  # (new, existing)
    replaced: tuple[tuple[RuleRow, RuleRow], ...]


class RuleBook:
    """The loaded PSR rows: the bundled table plus the user's rule files."""

    def __init__(self, rows: Iterable[RuleRow], correlation: Correlation) -> None:
        self.rows: dict[tuple[str, str], RuleRow] = {}
        for row in rows:
            self.rows[row.key] = row
        self.correlation = correlation
        self._cache: dict[tuple[str, str], RuleMatch | RuleNotFound] = {}

    def _most_specific(self, version: str, code6: str) -> RuleRow | None:
        rows = self.rows
        return (
            rows.get((version, code6))
            or rows.get((version, code6[:4]))
            or rows.get((version, code6[:2]))
        )

    def find(self, code6: str, version: str) -> RuleMatch | RuleNotFound:
        key = (code6, version)
        if key not in self._cache:
            self._cache[key] = self._find(code6, version)
        return self._cache[key]

    def _find(self, code6: str, version: str) -> RuleMatch | RuleNotFound:
        row = self._most_specific(version, code6)
        if row:
            return RuleMatch(row, code6, version)
        if version != HS2022:
            return RuleNotFound(code6, version)
        targets, relationship = self.correlation.to_hs2012(code6)
        if not targets:
            return RuleNotFound(code6, version, "; it has no HS2012 correlation")
        found = {t: self._most_specific(HS2012, t) for t in targets}
        shown = ", ".join(display(t) for t in targets)
        missing = [display(t) for t, r in found.items() if r is None]
        if missing:
            return RuleNotFound(
                code6,
                version,
                f"; it correlates to HS2012 {shown} ({relationship}) and no rule is loaded for "
                f"{', '.join(missing)}",
            )
        texts = {r.rule for r in found.values()}
        if len(texts) > 1:
            return RuleNotFound(
                code6,
                version,
                f"; it correlates to HS2012 {shown} ({relationship}), whose rules differ",
            )
        return RuleMatch(next(iter(found.values())), code6, version, targets, relationship)

    def merge(self, rows: Iterable[RuleRow], replace: bool = False) -> ImportReport:
        added, unchanged, conflicts, replaced = [], [], [], []
        for row in rows:
            existing = self.rows.get(row.key)
            if existing is None:
                added.append(row)
            elif existing.rule == row.rule and existing.legibility == row.legibility:
                unchanged.append(row)
                continue
            elif replace:
                replaced.append((row, existing))
            else:
                conflicts.append((row, existing))
                continue
            self.rows[row.key] = row
        self._cache.clear()
        return ImportReport(tuple(added), tuple(unchanged), tuple(conflicts), tuple(replaced))


def code_problem(code: str, version: str, nomenclatures: dict[str, Nomenclature]) -> str | None:
    """Why the digits of an HS code (a chapter, a heading, or a subheading with any national
    digits) name nothing in ``version``, or None when they do.

    >>> from rcep_rules.reference import nomenclatures
    >>> code_problem("853890", HS2022, nomenclatures()) is None
    True
    >>> code_problem("999999", HS2022, nomenclatures())
    '9999.99 is not a subheading of HS2022 nor of HS2012: it is not an HS code'
    """
    key = code[:6] if len(code) >= 6 else code
    if key in nomenclatures[version]:
        return None
    level = {2: "chapter", 4: "heading"}.get(len(key), "subheading")
    others = [v for v in VERSIONS if v != version and key in nomenclatures[v]]
    if others:
        return f"{display(key)} is not a {level} of {version}; it is one of {others[0]}"
    shown = " nor of ".join([version, *(v for v in VERSIONS if v != version)])
    return f"{display(key)} is not a {level} of {shown}: it is not an HS code"


def write_rule_file(path: Path, rows: Iterable[RuleRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r.hs_version, r.code)):
            writer.writerow(row.as_csv())
    tmp.replace(path)
