"""A salesman of a Chinese switchgear maker quotes a customer in Viet Nam. Before confirming he
checks whether the goods qualify under RCEP and what the certificate still needs; when the
company blocks goods that do not qualify, the refusal tells him, in his words, which product
is wrong, where it is fixed and who can fix it; the chatter keeps it."""

import re
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools.translate import code_translations

from rcep_rules.issues import CATALOGUE

from .. import wording
from .common import RcepWorldCase

NOW = "2026-12-01 10:00:00"  # the salesman's clock in these stories
QUOTED = datetime(2026, 11, 20, 9, 0)  # the day the quotations were made


@tagged("post_install", "-at_install")
class TestSaleStory(RcepWorldCase):
    """The shared world, which blocks goods that do not qualify: the contact carrier
    qualifies (CTH, the Japanese contact counting as originating by cumulation), the busbar
    kit does not (only cut and marked, minimal operations, Art 3.6). One good more cannot
    be evaluated: a terminal block with no process recorded, and a screw without an HS
    code. The salesman's quotations were made on 20 November; he confirms on 1 December."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screw = cls.product(
            "SCREW-M6", "Brass screw", False, standard_price=0.5,
            country_of_origin=cls.env.ref("base.cn").id,
        )  # fmt: skip
        cls.terminal = cls.product("TB-10", "Terminal block", "8538.90", list_price=40.0)
        cls.bom(cls.terminal, cls.screw, cls.brass)

    def quoted(self, *products, **values):
        """A quotation made on QUOTED, its transport known."""
        return (
            self.env["sale.order"]
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "date_order": QUOTED,
                    **self.SHIPPED,
                    "order_line": [
                        Command.create(
                            {"product_id": p.id, "product_uom_qty": 10, "price_unit": p.list_price}
                        )
                        for p in products
                    ],
                    **values,
                }
            )
            .with_user(self.salesman)
        )

    @freeze_time(NOW)
    def test_check_rcep_origin_shows_the_findings_and_missing_data_without_confirming(self):
        self.company.write({"rcep_auto_submit": False, "rcep_customs_code": False})
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        for product in (self.good, self.busbar_kit):
            with form.order_line.new() as line:
                line.product_id = product
                line.product_uom_qty = 10
        quotation = form.save()  # the vessel is not known yet: not required, submitted by hand
        self.assertRecordValues(
            quotation, [{"rcep_applicable": True, "rcep_declaration_required": False}]
        )

        action = quotation.action_rcep_check()
        check = self.env[action["res_model"]].browse(action["res_id"])
        self.assertRecordValues(
            check,
            [{"applicable": True, "status": "not_originating", "shipment_date": date(2026, 12, 1)}],
        )
        self.assertIn("Busbar kit", check.findings)
        self.assertIn("Product › RCEP Origin › Production processes", check.findings)
        self.assertNotIn("Contact carrier", check.findings)  # it qualifies
        for missing in (
            "Vessel or flight: Sales order › Other Info › RCEP origin › Vessel or flight",
            "Port of loading: Sales order › Other Info › RCEP origin › Port of loading",
            "Port of discharge: Sales order › Other Info › RCEP origin › Port of discharge",
            "Customs registration code: Settings › Sales › RCEP origin › Customs registration code",
        ):
            self.assertIn(missing, check.missing)
        # nothing confirmed, no evaluation kept; the quotation shows what the check found
        self.assertRecordValues(
            quotation,
            [
                {
                    "state": "draft",
                    "rcep_evaluation_count": 0,
                    "rcep_status": "not_originating",
                    "rcep_checked_at": datetime(2026, 12, 1, 10, 0),
                }
            ],
        )
        with Form(quotation) as form, form.order_line.edit(1) as line:
            line.product_uom_qty = 12  # what was checked has changed
        self.assertRecordValues(quotation, [{"rcep_status": False, "rcep_checked_at": False}])

    def test_transport_and_packages_are_required_when_declarations_go_out_automatically(self):
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.good
        self.assertTrue(form.rcep_declaration_required)
        # the quotation is saved before the shipment is booked, and says what is missing
        quotation = form.save()
        for label in ("Vessel or flight", "Port of loading", "Port of discharge"):
            self.assertIn(
                f"Sales order › Other Info › RCEP origin › {label}", quotation.rcep_missing_data
            )
        arch = quotation.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertRegex(arch, r'name="rcep_vessel_or_flight"[^>]*class="o_required_modifier"')
        form.rcep_vessel_or_flight = "KOTA LARIS V.612S"
        form.rcep_port_of_loading = "Ningbo (CNNGB)"
        form.rcep_port_of_discharge = "Ho Chi Minh City (VNSGN)"
        with form.order_line.edit(0) as line:
            line.rcep_package_kind = False
            with self.assertRaisesRegex(AssertionError, "rcep_package_kind.? is a required field"):
                line.save()
            line.rcep_package_kind = "pallet"
        quotation = form.save()
        self.assertEqual(quotation._rcep_missing_declaration_data(), [])
        self.assertFalse(quotation.rcep_missing_data)

        self.company.rcep_auto_submit = False  # an RCEP manager queues each declaration
        self.assertFalse(quotation.rcep_declaration_required)
        japan = self.env["res.partner"].create(
            {"name": "Osaka buyer", "country_id": self.env.ref("base.jp").id}
        )
        self.company.rcep_auto_submit = True
        quotation.partner_id = japan  # RCEP, but not ASEAN: no RCEP check at all
        self.assertRecordValues(
            quotation, [{"rcep_applicable": False, "rcep_declaration_required": False}]
        )

    @freeze_time(NOW)
    def test_the_refusal_names_products_in_plain_words_with_odoo_paths_and_who_can(self):
        quotation = self.quoted(self.good, self.busbar_kit, self.terminal)
        with self.assertRaises(UserError) as refused:
            quotation.action_confirm()
        message = str(refused.exception)
        for expected in (
            "ships to Vietnam",
            "[BB-KIT-400] Busbar kit, cut and labelled: not originating",
            "only undergoes minimal operations (Simple cutting or slitting, "
            "Affixing or printing marks",
            # cut only: a machine form of cutting would have been recorded instead (Art 3.6)
            "if an operation was not simple (it needed special skills, or machines or equipment "
            "especially produced or installed for it: Art 3.6 footnote), record what was done "
            "instead, e.g. Laser cutting, Plasma cutting, Waterjet cutting, ",
            "[TB-10] Terminal block: not evaluated",
            "[SCREW-M6] Brass screw has no HS code.",
            "Product › RCEP Origin › HS Code",
            "No production process is recorded for [TB-10] Terminal block.",
            "Product › RCEP Origin › Production processes",
            "an RCEP manager",
            "[PROCESS_MINIMAL]",
            "[HS_MISSING]",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Contact carrier", message)  # it qualifies
        for internal in ("good.", "bom[", "rcep-origin", "processes.csv", "hs_code"):
            self.assertNotIn(internal, message)
        self.assertRecordValues(quotation, [{"state": "draft", "rcep_evaluation_count": 0}])

    @freeze_time(NOW)
    def test_a_refused_confirmation_leaves_a_line_in_the_chatter(self):
        quotation = self.quoted(self.busbar_kit)
        # As in production, the salesman's request has a cursor of its own, rolled back when
        # the confirmation is refused; the note must outlive that rollback.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        try:
            with self.registry.cursor() as cr:
                request = quotation.with_env(quotation.env(cr=cr))
                request.client_order_ref = "PO-7781"
                request.action_confirm()
        except UserError as refusal:
            message = str(refusal)
        else:
            self.fail("the confirmation was not refused")
        quotation.invalidate_recordset()
        self.assertRecordValues(quotation, [{"state": "draft", "client_order_ref": False}])
        note = quotation.message_ids.filtered(lambda m: "Confirmation refused" in m.body)
        self.assertEqual(len(note), 1)
        # the same refusal again (a second click, a payment retried every few minutes): noted once
        with self.assertRaises(UserError), self.registry.cursor() as cr:
            quotation.with_env(quotation.env(cr=cr)).action_confirm()
        quotation.invalidate_recordset()
        again = quotation.message_ids.filtered(lambda m: "Confirmation refused" in m.body)
        self.assertEqual(again, note)
        self.assertIn("Busbar kit", note.body)
        self.assertIn("[PROCESS_MINIMAL]", note.body)
        self.assertIn("Busbar kit", message)
        self.assertEqual(note.author_id, self.salesman.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    @freeze_time(NOW)
    def test_block_and_warn_judge_the_same_order_on_the_same_days(self):
        # Quoted on 20 November in a foreign currency whose rate moved since; confirmed today.
        usd, eur = self.env.ref("base.USD"), self.env.ref("base.EUR")
        foreign = eur if self.company.currency_id != eur else usd
        foreign.active = True
        self.env["res.currency.rate"].create(
            [
                {"currency_id": foreign.id, "company_id": self.company.id, **rate}
                for rate in (
                    {"name": date(2026, 11, 20), "rate": 0.5},
                    {"name": date(2026, 12, 1), "rate": 0.8},
                )
            ]
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Export", "currency_id": foreign.id}
        )
        evaluations = self.env["rcep.origin.evaluation"]
        for mode in ("block", "warn"):
            self.company.rcep_check_mode = mode
            order = self.quoted(self.good, pricelist_id=pricelist.id)
            order.action_confirm()
            self.assertEqual(order.date_order, datetime(2026, 12, 1, 10, 0))
            evaluations |= order.rcep_evaluation_ids
        # 100.00 a unit at today's rate 0.8: 125.00 (at the quotation's 0.5 it would be 200.00)
        expected = {
            "date": date(2026, 12, 1),
            "fob": 125.0,
            "verdict": "originating",
            "criterion": "CTC",
        }
        self.assertRecordValues(evaluations, [expected, expected])
        self.assertEqual(len(set(evaluations.mapped("input_hash"))), 1)

    @freeze_time(NOW)
    def test_each_issue_names_its_product_in_the_readers_words(self):
        self.company.rcep_check_mode = "warn"
        order = self.quoted(self.terminal)
        order.action_confirm()
        evaluation = order.rcep_evaluation_ids
        screw_issue = evaluation.issue_ids.filtered(lambda i: i.code == "HS_MISSING")
        # before the job writes the material lines, from the products kept at confirmation
        self.assertRecordValues(
            screw_issue,
            [
                {
                    "product_id": self.screw.id,
                    "user_message": "[SCREW-M6] Brass screw has no HS code.",
                    "user_who": "an RCEP manager (group RCEP Manager)",
                }
            ],
        )
        self.assertIn("Product › RCEP Origin › HS Code", screw_issue.user_fix)
        self.assertIn(".hs_code", screw_issue.hint)  # the engine's words stay, as detail
        self.env["rcep.origin.declaration"].with_context(rcep_no_commit=True)._cron_submit()
        self.assertFalse(evaluation.lines_pending)
        screw_issue.invalidate_recordset()
        self.assertEqual(screw_issue.product_id, self.screw)  # now from the material lines
        self.assertIn("Terminal block", order.message_ids[0].body)
        self.assertIn("[HS_MISSING]", order.message_ids[0].body)

    @freeze_time(NOW)
    def test_an_issue_is_worded_when_read_in_the_readers_language(self):
        self.company.rcep_check_mode = "warn"
        order = self.quoted(self.terminal)
        order.action_confirm()
        issue = order.rcep_evaluation_ids.issue_ids.filtered(lambda i: i.code == "HS_MISSING")
        self.env["res.lang"]._activate_lang("fr_FR")
        french = dict(code_translations.get_python_translations("rcep_origin", "fr_FR"))
        french["%(product)s has no HS code."] = "%(product)s n'a pas de code SH."
        with patch.dict(code_translations.python_translations, {("rcep_origin", "fr_FR"): french}):
            self.assertEqual(
                issue.with_context(lang="fr_FR").user_message,
                "[SCREW-M6] Brass screw n'a pas de code SH.",
            )
        self.assertEqual(issue.user_message, "[SCREW-M6] Brass screw has no HS code.")


@tagged("post_install", "-at_install")
class TestIssueWording(TransactionCase):
    def test_every_engine_code_has_plain_words_a_place_to_fix_it_and_someone_who_can(self):
        self.assertEqual(wording.ISSUE_CODES, set(CATALOGUE))
        for code in CATALOGUE:
            words = wording.issue_words(self.env, code, {}, "Brass screw")
            with self.subTest(code=code):
                self.assertTrue(words.message.strip())
                self.assertIn("›", words.fix)
                self.assertIn("RCEP manager", words.who)
                for internal in ("good.", "bom[", "rcep-origin", "_"):
                    self.assertNotIn(internal, words.message + words.fix)

    def test_the_words_use_only_the_facts_the_engine_gives(self):
        derived = {"product", "where", "field", "other", "missing", "missing_where"}
        derived |= {"incoterm_where", "processes_done", "role", "party_where", "mapped"}
        for code, texts in wording._ISSUES.items():
            engine = CATALOGUE[code]
            facts = set(re.findall(r"{(\w+)", engine.message + engine.hint))
            used = set(re.findall(r"%\((\w+)\)s", "".join(t._source for t in texts)))
            with self.subTest(code=code):
                self.assertLessEqual(
                    {name for name in used if not name.startswith("at_")}, facts | derived
                )
                self.assertLessEqual(
                    {name[3:] for name in used if name.startswith("at_")}, set(wording.PATHS)
                )

    def test_a_goods_file_path_names_the_good_or_bom_line_it_is_about(self):
        self.assertEqual(wording.subject_path("good.bom[1].bom[0].proof"), "good.bom[1].bom[0]")
        self.assertEqual(wording.subject_path("good.fob"), "good")
        self.assertIsNone(wording.subject_path("importing_party"))
