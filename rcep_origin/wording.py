"""The one place where the addon words, for the people who use Odoo, what the engine and the
declaration builder report: plain words, where to fix it as an Odoo path (menu, form, tab,
field label) and who can. Every string here is translatable (``_lt`` at module level, rendered
with ``env._`` or ``str()`` in the user's language); nothing else in the addon turns an issue
code or a goods-file path into a sentence.

The engine's own wording (``rcep_rules.issues``) speaks of goods-file fields and the command
line; it stays as it is for the CLI and is kept on the records as technical detail.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# --- pre-review issues (engine codes) ------------------------------------------------------------


# --- declaration problems (what the builder and the Single Window report) ------------------------
