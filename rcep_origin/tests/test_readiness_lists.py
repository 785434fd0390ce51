"""The RCEP officer's readiness lists (issue 12): the rules needed by monitored products, the
supplier declarations about to run out with the products that depend on them, and the remedies
of a good that does not qualify."""

import csv
import io
from base64 import b64decode
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import SHIPMENT, RcepWorldCase


@tagged("post_install", "-at_install")
class TestReadinessLists(RcepWorldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.shenzhen = env["res.partner"].create(
            {
                "name": "Shenzhen Copper Co.",
                "email": "sales@shenzhen-copper.example.com",
                "country_id": env.ref("base.cn").id,
                "is_company": True,
            }
        )
        china = env.ref("base.cn").id
        # transformers: no product-specific rule is loaded for 8504.31 nor for its core, 8504.90
        cls.strip = cls.product(
            "CU-STRIP", "Copper strip 0.3 mm", "7409.11", standard_price=1.8,
            country_of_origin=china,
            seller_ids=[Command.create({"partner_id": cls.shenzhen.id, "price": 1.8})],
        )  # fmt: skip
        cls.core = cls.product(
            "CORE-EI", "Transformer core EI-48", "8504.90",
            rcep_process_ids=cls.processes("assembly"),
        )  # fmt: skip
        cls.transformer = cls.product(
            "TR-100", "Control transformer 100 VA", "8504.31", list_price=40.0,
            rcep_process_ids=cls.processes("assembly"),
        )  # fmt: skip
        cls.small_transformer = cls.product(
            "TR-050", "Control transformer 50 VA", "8504.31", list_price=25.0,
            rcep_process_ids=cls.processes("assembly"),
        )  # fmt: skip
        cls.bom(cls.core, cls.strip)
        cls.bom(cls.transformer, cls.core, cls.brass)
        cls.bom(cls.small_transformer, cls.brass)
        cls.strip_declaration = env["rcep.origin.supplier.declaration"].create(
            {
                "name": "SD-SZC-2026-07",
                "partner_id": cls.shenzhen.id,
                "product_tmpl_ids": [Command.set(cls.strip.product_tmpl_id.ids)],
                "origin_country_id": china,
                "valid_from": date(2026, 1, 1),
                "valid_to": date(2026, 12, 31),  # in 41 days
            }
        )
        cls.strip_declaration.action_validate()
        # the monitored products ("Monitored for RCEP"), evaluated once for Viet Nam
        monitored = (cls.transformer | cls.small_transformer | cls.good).product_tmpl_id
        monitored.rcep_monitor = True
        cls.env["rcep.origin.evaluation"]._rcep_evaluate_products(monitored, cls.vietnam, SHIPMENT)

    def latest(self, product):
        return self.env["rcep.origin.evaluation"].search(
            [("product_tmpl_id", "=", product.product_tmpl_id.id), ("is_latest", "=", True)]
        )

    def open_menu(self, xmlid):
        menu = self.env.ref(xmlid)
        return menu.action.with_user(self.rcep_manager).run()

    # --- rules needed ---------------------------------------------------------------------------

    def rules_needed(self):
        action = self.open_menu("rcep_origin.menu_rcep_origin_readiness_rules_mrp")
        return self.env[action["res_model"]].with_user(self.rcep_manager).search(action["domain"])

    def test_the_officer_sees_which_rules_block_how_many_products(self):
        menu = self.env.ref("rcep_origin.menu_rcep_origin_readiness_rules_mrp")
        self.assertEqual(menu.complete_name, "Manufacturing/RCEP Origin/Rules needed")
        self.assertEqual(self.latest(self.transformer).verdict, "not_evaluated")
        rows = self.rules_needed()
        self.assertRecordValues(
            rows,
            [
                {"hs_version": "HS2022", "level": "subheading", "code": "8504.31",
                 "product_count": 2},
                {"hs_version": "HS2022", "level": "subheading", "code": "8504.90",
                 "product_count": 1},
            ],
        )  # fmt: skip
        both = (self.transformer | self.small_transformer).product_tmpl_id
        self.assertEqual(rows[0].product_tmpl_ids, both)
        self.assertEqual(rows[1].product_tmpl_ids, self.transformer.product_tmpl_id)
        self.assertIn("transformer", rows[0].description.lower())

    def test_the_exported_file_is_filled_in_and_imported_and_the_products_become_evaluable(self):
        rows = self.rules_needed()
        download = rows.action_export_csv()
        attachment_id = int(download["url"].split("/")[3].split("?")[0])  # /web/content/<id>
        attachment = self.env["ir.attachment"].browse(attachment_id)
        text = b64decode(attachment.datas).decode()
        table = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(
            text.splitlines()[0],
            "hs_version,level,code,description,psr,legibility,source_url,locator",
        )
        first = table[0]
        self.assertEqual(
            [first["hs_version"], first["level"], first["code"], first["psr"], first["source_url"]],
            ["HS2022", "subheading", "8504.31", "", ""],
        )
        self.assertTrue(first["description"])
        # the officer copies the rule from Annex 3A into the first row and imports the file
        first.update(psr="CTH or RVC40", source_url="Annex 3A, p. 412", locator="p. 412, left")
        filled = io.StringIO()
        writer = csv.DictWriter(filled, list(first), lineterminator="\n")
        writer.writeheader()
        writer.writerow(first)
        importer = self.env["base_import.import"].with_user(self.rcep_manager).create(
            {"res_model": "rcep.origin.psr", "file": filled.getvalue().encode(),
             "file_name": "rcep_rules_needed.csv", "file_type": "text/csv"}
        )  # fmt: skip
        options = {"has_headers": True, "quoting": '"', "separator": ",", "encoding": "utf-8"}
        columns = list(first)
        dry = importer.execute_import(columns, columns, options, dryrun=True)
        self.assertFalse([m for m in dry["messages"] if m["type"] == "error"], dry["messages"])
        Psr = self.env["rcep.origin.psr"]
        self.assertFalse(Psr.search([("code", "=", "8504.31")]))  # a dry run keeps nothing
        done = importer.execute_import(columns, columns, options)
        self.assertFalse([m for m in done["messages"] if m["type"] == "error"], done["messages"])
        self.assertRecordValues(Psr.search([("code", "=", "8504.31")]), [{"psr": "CTH or RVC40"}])
        # at once, with the button (else on the next run)
        self.rules_needed().action_evaluate_again()
        self.assertNotEqual(self.latest(self.small_transformer).verdict, "not_evaluated")
        self.assertNotEqual(self.latest(self.transformer).verdict, "not_evaluated")
        left = self.rules_needed()
        self.assertEqual(left.mapped("code"), ["8504.90"])  # the core still has none

    # --- expiring proofs ------------------------------------------------------------------------

    def test_the_officer_sees_a_declaration_running_out_and_the_products_on_it(self):
        later = self.env["rcep.origin.supplier.declaration"].create(
            {
                "name": "SD-SZC-2027-01",
                "partner_id": self.shenzhen.id,
                "product_tmpl_ids": [Command.set(self.strip.product_tmpl_id.ids)],
                "origin_country_id": self.env.ref("base.cn").id,
                "valid_from": date(2026, 6, 1),
                "valid_to": date(2027, 2, 1),  # in 73 days: beyond the horizon
            }
        )
        later.action_validate()
        action = self.open_menu("rcep_origin.menu_rcep_origin_readiness_expiring_mrp")
        found = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(found, self.strip_declaration)  # not the certificate of May 2027
        self.assertEqual(
            found.rcep_dependent_product_ids, self.transformer.product_tmpl_id
        )  # through its core, two levels down
        # the declaration's form says it too
        form = Form(found.with_user(self.rcep_manager))
        self.assertEqual(form.rcep_dependent_product_ids[:], self.transformer.product_tmpl_id)

    def test_request_renewal_mails_the_vendor_the_products_and_components(self):
        declaration = self.strip_declaration.with_user(self.rcep_manager)
        declaration.action_rcep_request_renewal()
        message = declaration.message_ids[0]
        self.assertEqual(message.message_type, "comment")
        self.assertIn(self.shenzhen, message.partner_ids)
        self.assertIn("SD-SZC-2026-07", message.subject)
        self.assertIn("[TR-100] Control transformer 100 VA", message.body)
        self.assertIn("[CU-STRIP] Copper strip 0.3 mm", message.body)
        # an email goes to the vendor (whether the mail queue already sent it or not)
        emailed = message.notification_ids.filtered(lambda n: n.notification_type == "email")
        self.assertEqual(emailed.res_partner_id, self.shenzhen)

    def test_request_renewal_from_a_vendor_without_email_says_where_to_add_one(self):
        self.shenzhen.email = False
        with self.assertRaisesRegex(UserError, "Shenzhen Copper Co. has no email address"):
            self.strip_declaration.with_user(self.rcep_manager).action_rcep_request_renewal()
        self.assertFalse(
            self.strip_declaration.message_ids.filtered(lambda m: m.message_type == "comment")
        )

    # --- remedies ---------------------------------------------------------------------------------

    def mixer_evaluation(self):
        """A mixer assembled from a Chinese drive unit bought without a supplier declaration
        and the German brass bar: it does not qualify (CTSH or RVC40)."""
        drive = self.product(
            "MOTOR-80", "Mixer drive unit", "8509.40", standard_price=30.0,
            country_of_origin=self.env.ref("base.cn").id,
            seller_ids=[Command.create({"partner_id": self.shenzhen.id, "price": 30.0})],
        )  # fmt: skip
        mixer = self.product(
            "MX-80", "Kitchen mixer", "8509.40", list_price=100.0,
            rcep_process_ids=self.processes("assembly"),
        )  # fmt: skip
        self.bom(mixer, drive, self.brass)
        self.brass.standard_price = 35.0
        return self.env["rcep.origin.evaluation"]._rcep_evaluate_products(
            mixer.product_tmpl_id, self.vietnam, SHIPMENT
        )

    def test_a_good_that_does_not_qualify_shows_its_remedy_by_product_and_vendor(self):
        evaluation = self.mixer_evaluation()
        self.assertEqual(evaluation.verdict, "not_originating")
        html = str(Form(evaluation.with_user(self.rcep_manager)).remedies_html)  # its form
        self.assertIn(
            "Obtain a supplier declaration from Shenzhen Copper Co. for [MOTOR-80] Mixer drive "
            "unit (value 30.00 USD",
            html,
        )
        self.assertIn("the good then qualifies", html)
        self.assertFalse(self.latest(self.good).remedies_html)  # it qualifies

    # --- in the reader's language ----------------------------------------------------------------

    def test_a_chinese_vendor_and_a_chinese_reader_get_their_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["rcep_origin"], ["zh_CN"], overwrite=True)
        self.shenzhen.lang = "zh_CN"
        self.strip_declaration.with_user(self.rcep_manager).action_rcep_request_renewal()
        message = self.strip_declaration.message_ids[0]
        self.assertIn("续签贵方原产地声明 SD-SZC-2026-07", message.subject)
        self.assertIn("依赖该声明的我方产品", message.body)
        self.assertIn("[TR-100] Control transformer 100 VA", message.body)
        # the remedies of a good that does not qualify, for an officer who reads Chinese
        evaluation = self.mixer_evaluation()
        html = str(evaluation.with_context(lang="zh_CN").remedies_html)
        self.assertIn("向 Shenzhen Copper Co. 取得 [MOTOR-80] Mixer drive unit 的供应商声明", html)
