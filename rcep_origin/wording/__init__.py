"""The one place where the addon words, for the people who use Odoo, what the engine and the
declaration builder report: plain words, where to fix it as an Odoo path (menu, form, tab,
field label) and who can. Every string here is translatable (``_lt`` at module level, rendered
with ``env._`` or ``str()`` in the user's language); nothing else in the addon turns an issue
code or a goods-file path into a sentence.

The engine's own wording (``rcep_rules.issues``) speaks of goods-file fields and the command
line; it stays as it is for the CLI and is kept on the records as technical detail.
"""

from .declaration import (
    DECLARATION_FIELDS,
    DECLARATION_FIXER,
    ERROR_MEANINGS,
    REJECTION_MEANINGS,
    declaration_build_problem,
    declaration_error,
    declaration_missing,
    declaration_rejected,
    declaration_rejection,
    declaration_unexpected,
    declaration_proof_revoked,
    declaration_unqueued,
)
from .issues import (
    _ISSUES,
    ISSUE_CODES,
    PATHS,
    WHO_ADMIN,
    WHO_MANAGER,
    WHO_SALES,
    IssueWords,
    issue_line,
    issue_words,
    path,
    subject_path,
)
from .remedies import remedies_html
from .report import evaluation_report_html, material_reason

__all__ = [
    "DECLARATION_FIELDS",
    "DECLARATION_FIXER",
    "ERROR_MEANINGS",
    "ISSUE_CODES",
    "PATHS",
    "REJECTION_MEANINGS",
    "WHO_ADMIN",
    "WHO_MANAGER",
    "WHO_SALES",
    "_ISSUES",
    "IssueWords",
    "declaration_build_problem",
    "declaration_error",
    "declaration_missing",
    "declaration_proof_revoked",
    "declaration_rejected",
    "declaration_rejection",
    "declaration_unexpected",
    "declaration_unqueued",
    "evaluation_report_html",
    "issue_line",
    "issue_words",
    "material_reason",
    "path",
    "remedies_html",
    "subject_path",
]
