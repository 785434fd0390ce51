"""An export-compliance officer keeps origin data in Odoo and asks whether a CNC-machined
switchgear part (HS 8538.90, rule CTH or RVC40) qualifies for Viet Nam, and why not."""

import json
from datetime import date, timedelta
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SHIPMENT, RcepWorldCase


@tagged("post_install", "-at_install")
class TestOriginStory(RcepWorldCase):
    """The shared world (frozen on 20 November 2026): the officer evaluates the contact
    carrier SWC-630 (a German brass bar and a Japanese silver contact whose vendor holds an
    RCEP certificate until 3 May 2027) with "Evaluate RCEP origin" on its bill of materials."""

    def test_the_reference_data_comes_from_the_engine(self):
        self.assertRecordValues(
            self.env.ref("base.vn"),
            [{"rcep_party": True, "rcep_asean": True, "rcep_entry_into_force": date(2022, 1, 1)}],
        )
        self.assertTrue(self.env.ref("base.mm").rcep_contested)
        self.assertFalse(self.env.ref("base.us").rcep_party)
        cutting = self.env["rcep.origin.process"].search([("code", "=", "cutting")])
        self.assertTrue(cutting.minimal)
        rule = self.env["rcep.origin.psr"].search([("code", "=", "85.38")])
        self.assertRecordValues(
            rule, [{"psr": "CTH or RVC40", "hs_version": "HS2012", "bundled": True}]
        )

    def test_a_part_with_a_japanese_contact_qualifies_by_change_of_heading_with_cumulation(self):
        evaluation = self.evaluate()
        # The Japanese contact (same heading 85.38) is originating through its certificate
        # (cumulation, Art 3.4): CTH then holds; without it 50.00 of 100.00 would fail it.
        self.assertRecordValues(
            evaluation,
            [
                {
                    "verdict": "originating",
                    "criterion": "CTC",
                    "annotations": "ACU",
                    "build_down": "70.00",
                    "error_count": 0,
                }
            ],
        )
        contact_line = evaluation.line_ids.filtered(lambda line: line.code == "CONTACT-JP")
        self.assertRecordValues(
            contact_line, [{"originating": True, "product_id": self.contact.id}]
        )
        self.assertIn("cumulation", contact_line.reason)
        self.assertIn("PSR_TRANSPOSED", evaluation.issue_codes)
        self.assertEqual(self.good.product_tmpl_id.rcep_verdict, "originating")
        self.assertEqual(self.good.product_tmpl_id.rcep_evaluation_count, 1)

    def test_an_expired_supplier_declaration_flips_the_verdict(self):
        evaluation = self.evaluate(day=date(2027, 6, 1))
        # The certificate ran to 2027-05-03: the contact is non-originating, CTH fails (50 %)
        # and RVC is (100 - 80) / 100 = 20 % < 40 %.
        self.assertRecordValues(
            evaluation, [{"verdict": "not_originating", "criterion": False, "build_down": "20.00"}]
        )
        self.assertEqual(
            evaluation.line_ids.filtered(lambda line: line.code == "CONTACT-JP").ctc, "fail"
        )

    def test_the_daily_cron_expires_declarations_and_says_so(self):
        # the Japanese certificate is valid until 3 May 2027: the job runs the day after
        with freeze_time(self.contact_certificate.valid_to + timedelta(days=1)):
            self.env["rcep.origin.supplier.declaration"]._cron_expire()
        self.assertEqual(self.contact_certificate.state, "expired")
        self.assertIn("Expired", self.contact_certificate.message_ids[0].body)

    def test_an_in_house_sub_assembly_that_qualifies_rolls_up(self):
        insert = self.product(
            "INSERT", "Machined insert", "8538.90", rcep_process_ids=self.processes("cnc_machining")
        )
        self.bom(insert, self.brass)  # machined in-house from the German brass bar
        self.good_bom.bom_line_ids.filtered(
            lambda line: line.product_id == self.contact
        ).product_id = insert
        evaluation = self.evaluate()
        line = evaluation.line_ids.filtered(lambda line: line.code == "INSERT")
        self.assertTrue(line.originating)
        self.assertIn("Art 3.12", line.reason)
        self.assertEqual(evaluation.verdict, "originating")
        # every material line, at every depth, names its own product
        self.assertEqual(len(evaluation.line_ids), 3)
        for material in evaluation.line_ids:
            self.assertEqual(material.product_id.default_code, material.code, material.path)

    def test_a_sub_assembly_whose_bom_names_it_under_another_template_still_rolls_up(self):
        # Odoo finds a BOM by its product as well as by its template, and nothing keeps the
        # two together (an import can set a product of another template): still in-house
        insert = self.product(
            "INSERT", "Machined insert", "8538.90", rcep_process_ids=self.processes("cnc_machining")
        )
        elsewhere = self.env["product.template"].create({"name": "Inserts (imported BOMs)"})
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": elsewhere.id,
                "product_id": insert.id,
                "type": "normal",
                "bom_line_ids": [Command.create({"product_id": self.brass.id, "product_qty": 1})],
            }
        )
        self.good_bom.bom_line_ids.filtered(
            lambda line: line.product_id == self.contact
        ).product_id = insert
        evaluation = self.evaluate()
        line = evaluation.line_ids.filtered(lambda line: line.code == "INSERT")
        self.assertIn("Art 3.12", line.reason)  # judged as made here, not as bought
        self.assertEqual(len(evaluation.line_ids), 3)  # with the brass bar under it

    def test_a_bom_quantity_in_another_unit_is_converted_exactly(self):
        kg, gram = self.env.ref("uom.product_uom_kgm"), self.env.ref("uom.product_uom_gram")
        grease = self.product(
            "GREASE", "Contact grease", "3403.99", standard_price=40.0, uom_id=kg.id,
            uom_po_id=kg.id, country_of_origin=self.env.ref("base.de").id,
        )  # fmt: skip
        self.good_bom.bom_line_ids = [
            Command.create({"product_id": grease.id, "product_qty": 0.4, "product_uom_id": gram.id})
        ]
        evaluation = self.evaluate()
        bom = json.loads(evaluation.goods_json)["good"]["bom"]
        line = next(line for line in bom if line["code"] == "GREASE")
        self.assertEqual(Decimal(line["quantity"]), Decimal("0.0004"))  # not rounded up
        material = evaluation.line_ids.filtered(lambda line: line.code == "GREASE")
        self.assertEqual(material.product_id, grease)
        self.assertEqual(Decimal(material.value), Decimal("0.016"))  # 0.0004 kg x 40.00 per kg

    def test_a_wrong_hs_code_is_refused_on_save(self):
        with self.assertRaisesRegex(ValidationError, "HS_INVALID"):
            self.brass.product_tmpl_id.hs_code = "8538.99"

    def test_a_rule_the_grammar_does_not_know_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "not understood"):
            self.env["rcep.origin.psr"].create(
                {
                    "hs_version": "HS2022",
                    "level": "subheading",
                    "code": "8466.93",
                    "psr": "CTH unless machined",
                    "source_url": "test",
                }
            )

    def test_a_rule_loaded_by_a_manager_is_used_by_the_next_evaluation(self):
        self.env["rcep.origin.psr"].create(
            {
                "hs_version": "HS2022",
                "level": "subheading",
                "code": "8538.90",
                "psr": "RVC40",
                "source_url": "test row",
            }
        )
        evaluation = self.evaluate()
        self.assertRecordValues(evaluation, [{"criterion": "RVC", "rule_text": "RVC40"}])

    def test_an_evaluation_is_never_edited(self):
        evaluation = self.evaluate()
        with self.assertRaises(UserError):
            evaluation.write({"verdict": "not_originating"})

    def test_an_rcep_user_cannot_change_the_rules_and_a_salesman_sees_no_declarations(self):
        user = new_test_user(self.env, "rcep_user", groups="rcep_origin.group_rcep_user")
        rules = self.env["rcep.origin.psr"]
        with self.assertRaises(AccessError):
            rules.with_user(user).create(
                {
                    "hs_version": "HS2022",
                    "level": "chapter",
                    "code": "84",
                    "psr": "CTH",
                    "source_url": "x",
                }
            )
        evaluation = self.evaluate()
        self.assertEqual(evaluation.with_user(self.salesman).verdict, "originating")
        with self.assertRaises(AccessError):
            self.contact_certificate.with_user(self.salesman).read(["name"])

    def test_evaluate_all_reads_the_declarations_once_for_many_products(self):
        others = self.env["product.template"]
        for index in range(5):
            product = self.product(
                f"PART-{index}", f"Contact carrier, variant {index}", "8538.90",
                list_price=100.0, rcep_process_ids=self.processes("cnc_machining"),
            )  # fmt: skip
            self.good_bom.copy({"product_tmpl_id": product.product_tmpl_id.id})
            others |= product.product_tmpl_id
        action = others.action_rcep_evaluate_all()
        wizard = Form(self.env["rcep.origin.evaluate.wizard"].with_context(action["context"]))
        wizard.importing_country_id = self.vietnam
        wizard.date = SHIPMENT
        result = wizard.save().action_evaluate()
        evaluations = self.env["rcep.origin.evaluation"].search(result["domain"])
        self.assertEqual(len(evaluations), 5)
        self.assertEqual(set(evaluations.mapped("verdict")), {"originating"})

    def test_a_component_bought_by_the_dozen_counts_per_unit_of_the_good(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        line = self.good_bom.bom_line_ids.filtered(lambda line: line.product_id == self.brass)
        line.write({"product_qty": 0.5, "product_uom_id": dozen.id})  # 6 bars per part
        evaluation = self.evaluate()
        brass = evaluation.line_ids.filtered(lambda line: line.code == "BRASS-BAR")
        self.assertEqual(brass.value, "180.00")  # 6 x 30.00, in the bar's own unit
        self.assertIn("BOM_VALUE_EXCEEDS_FOB", evaluation.issue_codes)

    def test_another_companys_evaluations_stay_in_that_company(self):
        evaluation = self.evaluate()
        other = self.env["res.company"].create({"name": "Other factory"})
        outsider = new_test_user(
            self.env,
            "outsider",
            groups="rcep_origin.group_rcep_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        found = (
            self.env["rcep.origin.evaluation"]
            .with_user(outsider)
            .search([("id", "=", evaluation.id)])
        )
        self.assertFalse(found)

    def test_importing_rule_rows_refuses_the_bad_ones_with_a_message(self):
        fields_ = ["hs_version", "level", "code", "psr", "source_url"]
        result = self.env["rcep.origin.psr"].load(
            fields_,
            [
                ["HS2022", "subheading", "8466.93", "CTH or RVC40", "GACC 2022 No.129, p. 98"],
                ["HS2022", "subheading", "8466.94", "CTH when machined", "a guess"],
            ],
        )
        self.assertTrue(result["messages"])
        self.assertIn("not understood", result["messages"][0]["message"])
