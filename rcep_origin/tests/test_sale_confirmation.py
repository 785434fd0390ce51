"""Sales staff confirm an order for Viet Nam: the system tells them at that moment whether the
goods qualify under RCEP, by blocking or by warning as the company chose."""

import json
from datetime import datetime
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RcepWorldCase


@tagged("post_install", "-at_install")
class TestSaleConfirmation(RcepWorldCase):
    """The shared world (frozen on 20 November 2026): the contact carrier qualifies, the
    busbar kit does not; the salesperson sells ten of each at their sales prices."""

    def quotation(self, products=None, **fields):
        return super().quotation(products, quantity=10, price=None, **fields)

    def test_block_mode_refuses_an_order_whose_goods_do_not_qualify_with_the_reasons(self):
        self.company.rcep_check_mode = "block"
        order = self.quotation(self.good | self.busbar_kit)
        with self.assertRaises(UserError) as refused:
            order.action_confirm()
        message = str(refused.exception)
        self.assertIn("Busbar kit", message)
        self.assertIn("PROCESS_MINIMAL", message)
        self.assertNotIn("Contact carrier", message)  # it qualifies
        self.assertEqual(order.state, "draft")

    def test_block_mode_confirms_qualifying_goods_and_links_the_evaluations(self):
        self.company.rcep_check_mode = "block"
        order = self.confirm_order()
        self.assertEqual(order.state, "sale")
        self.assertRecordValues(
            order.rcep_evaluation_ids,
            [
                {
                    "verdict": "originating",
                    "criterion": "CTC",
                    "annotations": "ACU",
                    "sale_line_id": order.order_line.id,
                }
            ],
        )
        self.assertEqual(order.rcep_status, "originating")
        # the verdict of each material is written by the job right after the commit, and for
        # a good that qualifies its warnings and explanation too; the rule is there at once
        evaluation = order.rcep_evaluation_ids
        self.assertTrue(evaluation.lines_pending)
        self.assertFalse(evaluation.line_ids)
        self.assertRecordValues(
            evaluation,
            [{"words_pending": True, "explanation": False, "warning_count": 0, "error_count": 0}],
        )
        self.assertFalse(evaluation.issue_ids)
        self.assertTrue(evaluation.rule_text)
        found = evaluation._rcep_run(json.loads(evaluation.goods_json, parse_float=Decimal))
        self.assertTrue(found.issues)  # warnings the engine gives this good
        self.run_job()
        self.assertFalse(evaluation.lines_pending)
        contact = evaluation.line_ids.filtered(lambda line: line.code == "CONTACT-JP")
        self.assertRecordValues(contact, [{"originating": True, "origin_country": "JP"}])
        self.assertEqual(contact.product_id, self.contact)
        self.assertFalse(evaluation.words_pending)
        self.assertEqual(evaluation.issue_ids.mapped("code"), [i.code for i in found.issues])
        self.assertEqual(evaluation.warning_count, len(found.issues))
        self.assertIn("originating", evaluation.explanation)
        self.assertIn(self.good.name, evaluation.explanation_html)
        with self.assertRaisesRegex(UserError, "never edited"):  # written once, by the job
            evaluation.write({"explanation": "Originating, trust me."})

    def test_a_good_that_does_not_qualify_has_its_issues_at_confirmation(self):
        self.company.rcep_check_mode = "warn"  # confirmed despite the findings
        order = self.quotation(self.busbar_kit)
        order.action_confirm()
        evaluation = order.rcep_evaluation_ids
        self.assertRecordValues(
            evaluation, [{"verdict": "not_originating", "words_pending": False}]
        )
        issues = evaluation.issue_ids
        self.assertIn("PROCESS_MINIMAL", issues.mapped("code"))
        self.assertRecordValues(  # counted as they were written, in the same INSERT
            evaluation,
            [
                {
                    "error_count": len(issues.filtered(lambda i: i.severity == "error")),
                    "warning_count": len(issues.filtered(lambda i: i.severity == "warning")),
                    "issue_codes": ", ".join(sorted(set(issues.mapped("code")))),
                }
            ],
        )
        self.assertTrue(evaluation.explanation)
        for tampering in ({"words_pending": True}, {"error_count": 0}, {"issue_codes": False}):
            with self.assertRaisesRegex(UserError, "never edited"):
                evaluation.write(tampering)

    def test_a_job_that_fails_on_an_evaluation_says_its_warnings_are_missing(self):
        self.company.rcep_check_mode = "block"
        order = self.confirm_order()
        evaluation = order.rcep_evaluation_ids
        with (
            patch.object(
                type(evaluation), "_rcep_run", side_effect=RuntimeError("the disk is full")
            ),
            self.assertLogs("odoo.addons.rcep_origin", "ERROR"),
        ):
            self.run_job()
        self.assertRecordValues(
            evaluation, [{"lines_pending": False, "words_pending": False, "warning_count": 0}]
        )
        self.assertIn("could not be written: the disk is full", evaluation.lines_note)
        self.assertIn("warnings and the explanation could not be written", evaluation.words_note)
        self.assertIn("Evaluate again", evaluation.words_note)

    def test_an_evaluation_counts_its_own_issues_whatever_it_is_told(self):
        # an RCEP manager (or a script with their rights) creating an evaluation directly
        told = {"error_count": 0, "warning_count": 0, "issue_codes": False}
        evaluation = (
            self.env["rcep.origin.evaluation"]
            .with_user(self.rcep_manager)
            .create(
                {
                    "product_tmpl_id": self.good.product_tmpl_id.id,
                    "currency_id": self.company.currency_id.id,
                    "date": "2026-11-20",
                    "verdict": "not_evaluated",
                    "goods_json": "{}",
                    "issue_ids": [
                        Command.create(
                            {"code": "PSR_NOT_FOUND", "severity": "error", "path": "good"}
                        )
                    ],
                    **told,
                }
            )
        )
        self.assertRecordValues(
            evaluation, [{"error_count": 1, "warning_count": 0, "issue_codes": "PSR_NOT_FOUND"}]
        )

    def test_material_lines_are_not_written_when_the_rules_changed_since_confirmation(self):
        self.company.rcep_check_mode = "block"
        order = self.confirm_order()
        self.env["rcep.origin.psr"].create(  # a stricter row arrives before the job runs
            {
                "hs_version": "HS2022",
                "level": "subheading",
                "code": "8538.90",
                "psr": "WO",
                "source_url": "https://example.org/annex-3a",
            }
        )
        with self.assertLogs("odoo.addons.rcep_origin", "WARNING") as logged:
            self.run_job()
        evaluation = order.rcep_evaluation_ids
        self.assertRecordValues(
            evaluation,
            [{"lines_pending": False, "words_pending": False, "verdict": "originating"}],
        )
        self.assertFalse(evaluation.line_ids)
        self.assertFalse(evaluation.issue_ids)
        self.assertIn("Evaluate again", evaluation.lines_note)
        # shown on the Explanation and Issues tabs: no good is left without words unsaid
        self.assertIn("The warnings and the explanation were not written", evaluation.words_note)
        self.assertIn("the rules or the engine changed", logged.output[0])

    def test_an_orders_evaluations_belong_to_the_company_that_sells(self):
        thai = self.env["res.company"].create(
            {"name": "Rayong plant", "country_id": self.env.ref("base.th").id}
        )
        thai.rcep_check_mode = "warn"
        order = self.env["sale.order"].create(
            {
                "company_id": thai.id,
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.good.id, "product_uom_qty": 10})],
            }
        )
        order.action_confirm()  # while the user's current company is the Chinese one
        self.assertRecordValues(
            order.rcep_evaluation_ids,
            [{"company_id": thai.id, "exporting_country_id": self.env.ref("base.th").id}],
        )

    def test_an_order_shipping_after_a_suppliers_proof_expires_is_refused(self):
        self.company.rcep_check_mode = "block"
        # the Japanese contact's certificate is valid until 3 May 2027
        order = self.quotation(commitment_date=datetime(2027, 6, 1, 9, 0))
        with self.assertRaises(UserError) as refused:
            order.action_confirm()
        self.assertIn("Contact carrier", str(refused.exception))
        with Form(order.with_user(self.salesman)) as form:  # Other Info › Delivery Date
            form.commitment_date = datetime(2027, 4, 30, 9, 0)
        order.action_confirm()
        self.assertEqual(order.rcep_evaluation_ids.date.isoformat(), "2027-04-30")

    def test_warn_mode_confirms_notes_the_findings_and_asks_an_rcep_manager(self):
        self.company.rcep_check_mode = "warn"
        order = self.confirm_order(self.busbar_kit)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.rcep_status, "not_originating")
        self.assertIn("PROCESS_MINIMAL", order.message_ids[0].body)
        # the activity goes to this company's RCEP manager, not to the first one found
        self.assertEqual(
            order.activity_ids.filtered(lambda a: "RCEP" in a.summary).user_id, self.rcep_manager
        )

    def test_orders_outside_asean_or_with_the_check_off_are_not_evaluated(self):
        self.company.rcep_check_mode = "block"
        japan = self.env["res.partner"].create(
            {"name": "Osaka buyer", "country_id": self.env.ref("base.jp").id}
        )
        order = self.confirm_order(self.busbar_kit, partner=japan)  # RCEP, but not ASEAN
        self.assertFalse(order.rcep_evaluation_ids)
        self.company.rcep_check_mode = "off"
        order = self.confirm_order(self.busbar_kit)
        self.assertFalse(order.rcep_evaluation_ids)

    def test_an_order_without_any_incoterm_is_not_taken_for_fob(self):
        # neither the order nor the company says on which terms the price is
        self.company.incoterm_id = False
        order = self.quotation()
        order.with_user(self.salesman).action_rcep_check()
        self.assertEqual(order.rcep_check_status, "not_originating")  # not shown as qualifying
        with self.assertRaises(UserError) as refusal:
            order.with_user(self.salesman).action_confirm()
        message = str(refusal.exception)
        self.assertIn("The order gives no incoterm", message)
        self.assertIn("Sales order › Other Info › Incoterm", message)
        self.assertIn("Settings › Invoicing › Customer Invoices › Default Incoterm", message)
        self.assertIn("[INCOTERM_MISSING]", message)
        # the company's default incoterm serves every order that does not give one
        self.company.incoterm_id = self.env.ref("account.incoterm_FOB")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.rcep_evaluation_ids.verdict, "originating")

    def test_the_companys_default_incoterm_is_the_orders_when_it_gives_none(self):
        self.company.incoterm_id = self.env.ref("account.incoterm_CIF")
        order = self.quotation()
        with self.assertRaisesRegex(UserError, "FOB_UNDETERMINED"):
            order.with_user(self.salesman).action_confirm()

    def test_a_cif_order_without_its_freight_cannot_give_the_fob_value(self):
        self.company.rcep_check_mode = "block"
        cif = self.env["account.incoterms"].search([("code", "=", "CIF")], limit=1)
        order = self.quotation(incoterm=cif)  # Other Info › Delivery › Incoterm
        with self.assertRaisesRegex(UserError, "FOB_UNDETERMINED"):
            order.action_confirm()
        with Form(order.with_user(self.salesman)) as form:  # Other Info › RCEP origin
            form.rcep_freight = 50.0
            form.rcep_insurance = 5.0
        order.action_confirm()
        self.assertEqual(order.state, "sale")
