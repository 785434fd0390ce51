"""Someone trying the addon installs it with demo data: a small switchgear factory in Ningbo
whose goods show each verdict at once, one qualifying by change of tariff classification with
cumulation, one that does not (minimal operations) and one that cannot be evaluated (no rule
loaded for its heading). The only test that uses the demo data: the others share
tests/common.py."""

from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

GOODS = ("SWC-630", "BB-KIT-400", "SPH-BT40")


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def test_the_demo_data_loads_and_shows_every_verdict(self):
        # the demo file of the manifest, loaded as installing with demo data does
        convert_file(
            self.env, "rcep_origin", "demo/rcep_origin_demo.xml", {}, mode="init", kind="demo"
        )
        evaluations = self.env["rcep.origin.evaluation"].search(
            [("product_tmpl_id.default_code", "in", GOODS)]
        )
        verdicts = {
            e.product_tmpl_id.default_code: (e.verdict, e.criterion_label or "", e.issue_codes)
            for e in evaluations
        }
        self.assertEqual(sorted(verdicts), sorted(GOODS))  # one evaluation of each good
        self.assertEqual(len(evaluations), len(GOODS))
        self.assertEqual(verdicts["SWC-630"][:2], ("originating", "CTC ACU"))
        self.assertEqual(verdicts["BB-KIT-400"][0], "not_originating")
        self.assertIn("PROCESS_MINIMAL", verdicts["BB-KIT-400"][2])
        self.assertEqual(verdicts["SPH-BT40"][0], "not_evaluated")
        self.assertIn("PSR_NOT_FOUND", verdicts["SPH-BT40"][2])
