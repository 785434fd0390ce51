"""A compliance officer opens an RCEP evaluation and reads it like a report: the rule, the
material that fails it by name, the RVC arithmetic spelled out once, countries by name, dates
in her format, and the issue that decided the verdict marked as the reason. Her manager also
sees the audit trail, searches the evaluations and their issues, and loads product-specific
rules from a spreadsheet."""

import io
from datetime import date, datetime

import xlsxwriter
from freezegun import freeze_time
from lxml import etree
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_date

from .common import SHIPMENT, RcepWorldCase

AFTER_EXPIRY = date(2027, 6, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
class TestEvaluationReport(RcepWorldCase):
    """The shared world (frozen on 20 November 2026), read by an origin officer in Shanghai,
    with one good more: a spindle housing (HS 8466.93) cast from the brass bar, for whose
    heading no rule is loaded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Process = env["rcep.origin.process"]
        codes = ("cnc_machining", "cutting", "marking", "casting")
        cls.process = {p.code: p for p in Process.search([("code", "in", codes)])}
        cls.officer = new_test_user(
            env,
            "origin_officer",
            groups="rcep_origin.group_rcep_user,mrp.group_mrp_user",
            tz="Asia/Shanghai",
            name="Li Na (origin officer)",
        )
        cls.manager = new_test_user(
            env, "rcep_manager", groups="rcep_origin.group_rcep_manager,mrp.group_mrp_user"
        )
        cls.housing = cls.product(
            "SPH-BT40", "Spindle housing", "8466.93", list_price=380.0,
            rcep_process_ids=cls.processes("casting"),
        )  # fmt: skip
        cls.housing_bom = cls.bom(cls.housing, cls.brass)

    def evaluate(self, bom=None, day=SHIPMENT, user=None):
        """The officer presses "Evaluate RCEP origin" on the BOM and fills in the dialog."""
        return super().evaluate(bom, day, user or self.officer)

    def issue(self, evaluation, code):
        return evaluation.issue_ids.filtered(lambda i: i.code == code)

    # --- reading one evaluation -----------------------------------------------------------------

    def test_nobody_adds_an_issue_or_a_material_line_to_a_finished_evaluation(self):
        evaluation = self.evaluate()  # the officer's own, with its issues and material lines
        self.assertTrue(evaluation.line_ids)
        count = len(evaluation.issue_ids)
        for person in (self.officer, self.manager):
            for model, values in (
                ("rcep.origin.evaluation.issue", {"code": "ALL_FINE", "severity": "warning"}),
                ("rcep.origin.evaluation.line", {"path": "good.bom[99]", "originating": True}),
            ):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(person).create(
                        {"evaluation_id": evaluation.id, **values}
                    )
        self.assertEqual(len(evaluation.issue_ids), count)
        # and an evaluation is still made under its maker's rules: not in another's company
        other = self.env["res.company"].create({"name": "Not the officer's"})
        with self.assertRaises(AccessError):
            self.env["rcep.origin.evaluation"].with_user(self.officer).create(
                {
                    "company_id": other.id,
                    "product_tmpl_id": self.housing.product_tmpl_id.id,
                    "currency_id": other.currency_id.id,
                    "date": SHIPMENT,
                    "verdict": "originating",
                }
            )

    def test_the_explanation_names_the_rule_the_failing_material_and_the_rvc_arithmetic_once(self):
        # After the Osaka certificate ran out (2027-05-03), the contact is non-originating:
        # it stays in heading 85.38, 50.00 of 100.00 fails CTH, and RVC is 20 % < 40 %.
        evaluation = self.evaluate(self.good_bom, day=AFTER_EXPIRY)
        html = str(evaluation.explanation_html)
        self.assertEqual(evaluation.verdict, "not_originating")
        self.assertIn("CTH or RVC40", html)
        self.assertIn("Silver contact, Japanese", html)  # the failing material, by name
        self.assertNotIn("Brass bar 40 mm", html)  # it changes heading: not failing
        self.assertIn("50.00 %", html)  # 50.00 of the FOB 100.00
        self.assertEqual(html.count("free-on-board value"), 1)
        self.assertEqual(html.count("value of non-originating materials"), 1)
        self.assertEqual(html.count("value of originating materials"), 1)
        self.assertEqual(html.count("(FOB − VNM) / FOB × 100"), 1)
        self.assertIn("(100.00 − 80.00) / 100.00 × 100 = 20.00 %", html)
        self.assertIn("RVC40: not met", html)
        # countries by name, the date as the officer writes dates (in the report's own text;
        # the issues below it keep the engine's words until wording.py words them)
        report = html.split("Reason for the verdict")[0]
        self.assertIn("from China to Vietnam", report)
        self.assertIn(format_date(self.env(user=self.officer), AFTER_EXPIRY), report)
        self.assertNotIn("2027-06-01", report)
        self.assertNotIn("CN -&gt;", html)
        # the failing contact's certificate had expired on the shipment date: that decided
        self.assertRecordValues(
            self.issue(evaluation, "ORIGIN_PROOF_EXPIRED")
            | self.issue(evaluation, "PSR_TRANSPOSED"),
            [
                {"code": "ORIGIN_PROOF_EXPIRED", "decisive": True, "role": "reason"},
                {"code": "PSR_TRANSPOSED", "decisive": False, "role": "warning"},
            ],
        )
        self.assertFalse(self.issue(evaluation, "ORIGIN_PROOF_MISSING"))
        self.assertIn("Reason for the verdict", html)

    def test_a_material_that_only_weighs_on_the_rvc_is_a_reason_too(self):
        insulator = self.env["product.product"].create(
            {
                "default_code": "INS-KR",
                "name": "Insulator from Korea",
                "hs_code": "8547.10",
                "standard_price": 5.0,
                "country_of_origin": self.env.ref("base.kr").id,
            }
        )
        self.good_bom.bom_line_ids = [
            Command.create({"product_id": insulator.id, "product_qty": 1})
        ]
        evaluation = self.evaluate(self.good_bom, day=AFTER_EXPIRY)
        # CTH fails on the contact alone; RVC (100 - 85) / 100 = 15 % < 40 % counts both
        self.assertEqual(evaluation.verdict, "not_originating")
        # the insulator has no proof, the contact's certificate had expired: both decide
        unproved = self.issue(evaluation, "ORIGIN_PROOF_MISSING") | self.issue(
            evaluation, "ORIGIN_PROOF_EXPIRED"
        )
        self.assertEqual(len(unproved), 2)
        self.assertEqual(set(unproved.mapped("decisive")), {True})
        self.assertFalse(self.issue(evaluation, "PSR_TRANSPOSED").decisive)
        self.assertNotIn("Insulator from Korea</td>", str(evaluation.explanation_html))

    def test_an_originating_good_says_what_to_declare_and_who_counted_as_originating(self):
        evaluation = self.evaluate(self.good_bom)
        html = str(evaluation.explanation_html)
        self.assertRecordValues(
            evaluation, [{"verdict": "originating", "criterion_label": "CTC ACU"}]
        )
        self.assertIn("declare criterion CTC", html)
        self.assertIn("It holds: no non-originating material fails it.", html)
        self.assertIn("Silver contact, Japanese (Japan)", html)  # cumulation, by name
        self.assertFalse(evaluation.issue_ids.filtered("decisive"))
        # each material says why, countries by name and dates as the officer writes them
        contact = evaluation.line_ids.filtered(lambda line: line.product_id == self.contact)
        brass = evaluation.line_ids.filtered(lambda line: line.product_id == self.brass)
        until = format_date(self.env(user=self.officer), date(2027, 5, 3))
        self.assertRecordValues(
            contact | brass,
            [
                {
                    "origin_country_id": self.env.ref("base.jp").id,
                    "reason_display": "originating in Japan, another RCEP Party (certificate of "
                    f"origin JP-RCEP-2026-118842, valid until {until}): counts as originating "
                    "in China (cumulation, Art 3.4)",
                },
                {
                    "origin_country_id": self.env.ref("base.de").id,
                    "reason_display": "from Germany, not an RCEP Party: non-originating",
                },
            ],
        )

    def test_minimal_operations_are_shown_as_the_reason_not_as_a_warning(self):
        evaluation = self.evaluate(self.busbar_kit_bom)
        self.assertEqual(evaluation.verdict, "not_originating")
        minimal = self.issue(evaluation, "PROCESS_MINIMAL")
        self.assertRecordValues(
            minimal, [{"severity": "warning", "decisive": True, "role": "reason"}]
        )
        others = evaluation.issue_ids - minimal
        self.assertTrue(others)
        self.assertFalse(others.filtered("decisive"))
        html = str(evaluation.explanation_html)
        reason = html.index("Reason for the verdict")
        self.assertGreater(html.index("PROCESS_MINIMAL"), reason)  # listed under the reason
        self.assertIn(self.process["cutting"].name, html)  # processes by name, not code
        self.assertNotIn("(FOB − VNM)", html)  # Art 3.6 stops the good: no RVC is tried

    def test_minimal_operations_name_the_machine_forms_to_record_instead(self):
        """A busbar only ground: the manager is told that if the grinding was not simple
        (precision or CNC grinding, a machine especially installed for it: Art 3.6 footnote),
        that is what to record instead, the processes by name. One only packed and labelled:
        those operations have no such form, and nothing is added."""
        ground = self.product(
            "BB-GROUND", "Busbar, ground", "8538.90", list_price=20.0,
            rcep_process_ids=self.processes("grinding"),
        )  # fmt: skip
        packed = self.product(
            "BB-PACKED", "Busbar, packed and labelled", "8538.90", list_price=20.0,
            rcep_process_ids=self.processes("packaging", "marking"),
        )  # fmt: skip
        evaluation = self.evaluate(self.bom(ground, self.copper))
        fix = self.issue(evaluation, "PROCESS_MINIMAL").user_fix
        self.assertIn(
            "; if an operation was not simple (it needed special skills, or machines or "
            "equipment especially produced or installed for it: Art 3.6 footnote), record what "
            "was done instead, e.g. Precision or CNC grinding (surface, cylindrical, centreless "
            "or tool grinding to tolerance), ",
            fix,
        )
        forms = self.env["rcep.origin.process"].search(
            [("code", "in", ("precision_grinding", "optical_grinding", "crushing_screening"))]
        )
        self.assertEqual(len(forms), 3)
        for process in forms:
            self.assertIn(process.name, fix)
            self.assertNotIn(process.code, fix)
        self.assertIn("Precision or CNC grinding", str(evaluation.explanation_html))

        evaluation = self.evaluate(self.bom(packed, self.copper))
        fix = self.issue(evaluation, "PROCESS_MINIMAL").user_fix
        self.assertTrue(
            fix.endswith("with origin proofs (Manufacturing › RCEP Origin › Supplier declarations)")
        )
        self.assertNotIn("not simple", fix)

    def test_a_good_without_a_rule_shows_the_errors_that_stopped_it(self):
        evaluation = self.evaluate(self.housing_bom)
        self.assertEqual(evaluation.verdict, "not_evaluated")
        self.assertRecordValues(
            self.issue(evaluation, "PSR_NOT_FOUND"),
            [{"severity": "error", "decisive": True, "role": "reason"}],
        )
        html = str(evaluation.explanation_html)
        self.assertIn("Not evaluated: 1 issue(s) must be fixed first.", html)
        self.assertIn("PSR_NOT_FOUND", html)
        self.assertIn("Manufacturing › RCEP Origin › Product-specific rules", html)

    def test_the_audit_tab_is_for_managers_only(self):
        def form_arch(user):
            view = self.env["rcep.origin.evaluation"].with_user(user).get_view(view_type="form")
            return etree.fromstring(view["arch"])

        officer, manager = form_arch(self.officer), form_arch(self.manager)
        technical = ("input_hash", "rules_digest", "engine_version", "goods_json_display")
        for name in technical:
            self.assertFalse(officer.xpath(f"//field[@name='{name}']"), name)
            self.assertTrue(manager.xpath(f"//page[@name='audit']//field[@name='{name}']"), name)
        self.assertFalse(officer.xpath("//page[@name='audit']"))
        self.assertTrue(
            officer.xpath("//page[@name='explanation']/field[@name='explanation_html']")
        )

    def test_labels_are_written_for_people(self):
        def strings(model, names):
            described = self.env[model].fields_get(names, ["string"])
            return {name: described[name]["string"] for name in names}

        self.assertEqual(
            strings(
                "product.template",
                ["rcep_last_evaluation_id", "rcep_evaluation_count", "rcep_process_ids"],
            ),
            {
                "rcep_last_evaluation_id": "Latest RCEP evaluation",
                "rcep_evaluation_count": "Number of RCEP evaluations",
                "rcep_process_ids": "Production processes",
            },
        )
        self.assertEqual(
            strings(
                "rcep.origin.evaluation",
                ["importing_country_id", "explanation_html", "is_latest", "rule_source"],
            ),
            {
                "importing_country_id": "Destination",
                "explanation_html": "Explanation",
                "is_latest": "Latest of the product",
                "rule_source": "Source of the rule",
            },
        )
        self.assertEqual(
            strings("rcep.origin.evaluation.line", ["origin_country_id", "reason_display"]),
            {"origin_country_id": "Country of origin", "reason_display": "Why"},
        )
        # process tags read by name; the Art 3.6 operations say they are the simple form
        self.assertEqual(self.process["cutting"].display_name, "Simple cutting or slitting")

    # --- searching evaluations and issues -------------------------------------------------------

    def test_the_latest_per_product_filter_follows_a_new_evaluation(self):
        Evaluation = self.env["rcep.origin.evaluation"].with_user(self.officer)
        latest = [
            ("is_latest", "=", True),
            ("product_tmpl_id", "in", self.good.product_tmpl_id.ids),
        ]
        with freeze_time(datetime(2026, 11, 2, 9, 0)):
            first = self.evaluate(self.good_bom)
            kit = self.evaluate(self.busbar_kit_bom)
        self.assertEqual(Evaluation.search(latest), first)
        with freeze_time(datetime(2026, 11, 3, 9, 0)):
            second = self.evaluate(self.good_bom, day=AFTER_EXPIRY)
        self.assertEqual(Evaluation.search(latest), second)
        self.assertRecordValues(
            first | second | kit,
            [{"is_latest": False}, {"is_latest": True}, {"is_latest": True}],
        )
        self.assertIn(second, Evaluation.search([("is_latest", "=", True)]))
        self.assertIn(kit, Evaluation.search([("is_latest", "=", True)]))
        # the manager removes the newer one: the one before is the latest again
        second.with_user(self.manager).unlink()
        self.assertEqual(Evaluation.search(latest), first)
        self.assertEqual(self.good.product_tmpl_id.rcep_last_evaluation_id, first)

    def test_evaluations_and_issues_are_searched_by_a_single_code(self):
        carrier = self.evaluate(self.good_bom, day=AFTER_EXPIRY)
        kit = self.evaluate(self.busbar_kit_bom)
        Evaluation = self.env["rcep.origin.evaluation"].with_user(self.officer)
        search = etree.fromstring(Evaluation.get_view(view_type="search")["arch"])
        issue_field = search.xpath("//field[@name='issue_ids']")[0]
        self.assertEqual(issue_field.get("filter_domain"), "[('issue_ids.code', '=ilike', self)]")
        mine = [("id", "in", (carrier | kit).ids)]
        found = Evaluation.search([*mine, ("issue_ids.code", "=ilike", "process_minimal")])
        self.assertEqual(found, kit)
        found = Evaluation.search([*mine, ("issue_ids.code", "=ilike", "PSR_TRANSPOSED")])
        self.assertEqual(found, carrier | kit)
        # the Issues menu: one group per code, never a comma-joined combination
        Issue = self.env["rcep.origin.evaluation.issue"].with_user(self.officer)
        groups = Issue.read_group(
            [("evaluation_id", "in", (carrier | kit).ids), ("is_latest", "=", True)],
            ["code"],
            ["code"],
        )
        counts = {g["code"]: g["code_count"] for g in groups}
        self.assertEqual(counts["PSR_TRANSPOSED"], 2)
        self.assertEqual(counts["PROCESS_MINIMAL"], 1)
        self.assertFalse([code for code in counts if "," in code])
        action = self.env.ref("rcep_origin.rcep_origin_evaluation_issue_action")
        self.assertIn("search_default_group_code", action.context)
        self.assertEqual(
            self.env.ref("rcep_origin.menu_rcep_origin_issues_mrp").complete_name,
            "Manufacturing/RCEP Origin/Issues",
        )

    def test_issues_and_material_lines_of_another_company_stay_in_that_company(self):
        evaluation = self.evaluate(self.busbar_kit_bom)
        other = self.env["res.company"].create({"name": "Other factory"})
        outsider = new_test_user(
            self.env,
            "outsider",
            groups="rcep_origin.group_rcep_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Issue = self.env["rcep.origin.evaluation.issue"].with_user(outsider)
        self.assertFalse(Issue.search([("evaluation_id", "=", evaluation.id)]))
        # nor do its material lines: the costs and the vendors' proofs of the other factory
        self.assertTrue(evaluation.line_ids)
        Line = self.env["rcep.origin.evaluation.line"].with_user(outsider)
        self.assertFalse(Line.search([("evaluation_id", "=", evaluation.id)]))

    # --- loading rules from a spreadsheet -------------------------------------------------------

    def test_a_manager_imports_rules_from_a_csv_and_sees_the_bad_row(self):
        menu = self.env.ref("rcep_origin.menu_rcep_origin_psr_mrp")
        self.assertEqual(menu.complete_name, "Manufacturing/RCEP Origin/Product-specific rules")
        self.assertEqual(menu.action, self.env.ref("rcep_origin.rcep_origin_psr_action"))
        Psr = self.env["rcep.origin.psr"].with_user(self.manager)
        self.assertTrue(Psr.has_access("create"))
        list_arch = etree.fromstring(Psr.get_view(view_type="list")["arch"])
        self.assertNotIn(list_arch.get("import"), ("0", "false", "False"))
        self.assertNotIn(list_arch.get("create"), ("0", "false", "False"))
        csv = (
            "hs_version,level,code,psr,source_url\n"
            'HS2022,subheading,8466.93,CTH or RVC40,"GACC 2022 No.129, p. 98"\n'
            "HS2022,subheading,8466.94,CTH when machined,a guess\n"
            'HS2022,subheading,8466.91,CTSH,"GACC 2022 No.129, p. 98"\n'
        )
        importer = (
            self.env["base_import.import"]
            .with_user(self.manager)
            .create(
                {
                    "res_model": "rcep.origin.psr",
                    "file": csv.encode(),
                    "file_name": "rules.csv",
                    "file_type": "text/csv",
                }
            )
        )
        options = {"has_headers": True, "quoting": '"', "separator": ",", "encoding": "utf-8"}
        fields_ = ["hs_version", "level", "code", "psr", "source_url"]
        dry = importer.execute_import(fields_, fields_, options, dryrun=True)
        errors = [m for m in dry["messages"] if m["type"] == "error"]
        self.assertEqual(len(errors), 1, dry["messages"])
        self.assertIn("'CTH when machined' is not understood", errors[0]["message"])
        self.assertEqual(errors[0]["rows"], {"from": 1, "to": 1})  # the second data row
        self.assertFalse(Psr.search([("code", "in", ["8466.93", "8466.91"])]))  # a dry run
        # without the bad row, the manager imports the two good ones
        good = "\n".join(line for line in csv.splitlines() if "machined" not in line) + "\n"
        importer.file = good.encode()
        done = importer.execute_import(fields_, fields_, options)
        self.assertFalse([m for m in done["messages"] if m["type"] == "error"], done["messages"])
        self.assertRecordValues(
            Psr.search([("code", "in", ["8466.93", "8466.91"])], order="code desc"),
            [{"code": "8466.93", "psr": "CTH or RVC40"}, {"code": "8466.91", "psr": "CTSH"}],
        )

    def test_a_manager_imports_rules_from_a_spreadsheet(self):
        sheet_file = io.BytesIO()
        book = xlsxwriter.Workbook(sheet_file, {"in_memory": True})
        sheet = book.add_worksheet()
        rows = [
            ["HS edition", "Level", "HS code", "Rule", "Source"],  # the labels of the form
            ["HS2022", "Subheading", "8466.92", "CTSH or RVC40", "GACC 2022 No.129, p. 98"],
        ]
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
        book.close()
        importer = (
            self.env["base_import.import"]
            .with_user(self.manager)
            .create(
                {
                    "res_model": "rcep.origin.psr",
                    "file": sheet_file.getvalue(),
                    "file_name": "rules.xlsx",
                    "file_type": XLSX,
                }
            )
        )
        preview = importer.parse_preview({"has_headers": True})
        self.assertFalse(preview.get("error"), preview)
        matched = [preview["matches"][i][0] for i in range(len(rows[0]))]  # by label
        self.assertEqual(matched, ["hs_version", "level", "code", "psr", "source_url"])
        done = importer.execute_import(matched, rows[0], {"has_headers": True})
        self.assertFalse(done["messages"], done["messages"])
        rule = self.env["rcep.origin.psr"].search([("code", "=", "8466.92")])
        self.assertRecordValues(rule, [{"psr": "CTSH or RVC40", "level": "subheading"}])
