"""The exporters are Chinese manufacturers: every term the addon shows (labels, selections,
messages, mail templates, the buyer's summary, the words of the engine's findings) ships in
its .pot and is translated in zh_CN.po."""

from pathlib import Path

import polib
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reader = TranslationModuleReader(cls.env.cr, modules=["rcep_origin"])
        cls.terms = {source for module, *_, source, _v, _c in reader if module == "rcep_origin"}

    def test_the_pot_holds_every_term_the_addon_shows(self):
        pot = {entry.msgid for entry in polib.pofile(str(I18N / "rcep_origin.pot"))}
        self.assertFalse(sorted(self.terms - pot), "terms missing from rcep_origin.pot")
        self.assertFalse(sorted(pot - self.terms), "rcep_origin.pot holds terms no longer used")

    def test_a_chinese_speaking_user_sees_every_term_in_chinese(self):
        translated = {
            entry.msgid
            for entry in polib.pofile(str(I18N / "zh_CN.po"))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
        self.assertFalse(sorted(self.terms - translated), "terms without a zh_CN translation")
