import json
import logging
import uuid
from pathlib import Path

import psycopg2
from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL, config, plaintext2html

from .. import wording
from .rcep_origin_evaluation import isolated

_logger = logging.getLogger(__name__)
# what a declaration must carry, by the builder's path: checked all at once before building, so
# that one message says everything that is missing (the builder stops at the first)
REQUIRED = (
    "exporter.customs_code",
    "exporter.address",
    "exporter.country",
    "importer.address",
    "importer.country",
    "transport.vessel_or_flight",
    "transport.port_of_loading",
    "transport.port_of_discharge",
)


class RcepOriginDeclaration(models.Model):
    """A certificate application to the customs Single Window for a confirmed order, in the
    shape of an EDI document (``l10n_es_edi_tbai.document``): the order gives the shipment
    values, the declaration builds, validates and keeps the XML, the connector sends it, a pure
    method maps the answer to field values. Made at confirmation; built and sent by the job
    that runs right after the commit (never inside the confirmation's transaction, where a
    salesman waits), with an idempotency key generated once, so that a crash or a rollback at
    any point neither loses nor doubles a certificate. A declaration that could not be built is
    rebuilt (by the job once the data it lacked is there, or with Rebuild); a rejected one is
    corrected as a new declaration with a new key, linked to it."""

    _name = "rcep.origin.declaration"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "RCEP certificate of origin declaration"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda s: s.env.company
    )
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", related="sale_order_id.partner_id", store=True, index=True
    )
    user_id = fields.Many2one("res.users", "Salesperson", related="sale_order_id.user_id")
    date = fields.Date(
        "Declared on", readonly=True, required=True, default=fields.Date.context_today, copy=False
    )
    connector_id = fields.Many2one("rcep.origin.connector", readonly=True)
    idempotency_key = fields.Char(
        required=True, readonly=True, copy=False, index=True, default=lambda s: str(uuid.uuid4())
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_submit", "To submit"),
            ("submitted", "Submitted"),
            ("issued", "Issued"),
            ("rejected", "Rejected"),
            ("error", "Error"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    request_attachment_id = fields.Many2one("ir.attachment", "Declaration XML", readonly=True)
    certificate_attachment_id = fields.Many2one(
        "ir.attachment", "Signed certificate", readonly=True
    )
    reference_number = fields.Char(readonly=True, tracking=True)
    certificate_number = fields.Char(readonly=True, tracking=True, index=True)
    issued_at = fields.Char("Issued at", readonly=True)
    certificate_format = fields.Char(readonly=True)
    signature_verified = fields.Boolean(readonly=True)
    rejection = fields.Text("Rejection reasons", readonly=True)
    rejection_detail = fields.Text(
        "Rejection as received", readonly=True, help="The Single Window's codes and paths."
    )
    last_error = fields.Text("Error as received", readonly=True)
    error_transient = fields.Boolean(readonly=True, help="The job tries again.")
    attempts = fields.Integer(readonly=True)
    note = fields.Text(readonly=True, help="What stops this declaration, in words.")
    build_detail = fields.Text(
        "Builder's report", readonly=True, help="Why it could not be built, as the builder said."
    )
    missing_data = fields.Char(
        readonly=True,
        help="The shipment fields (by path) it could not be built without; once they are "
        "filled in, the job builds it again.",
    )
    build_pending = fields.Boolean(
        readonly=True, index=True, help="To be built and validated by the job"
    )
    evaluation_ids = fields.Many2many(
        "rcep.origin.evaluation", string="Evaluations of the items", readonly=True
    )
    previous_declaration_id = fields.Many2one(
        "rcep.origin.declaration",
        "Corrects",
        readonly=True,
        index=True,
        help="The rejected declaration this one corrects.",
    )
    correction_ids = fields.One2many(
        "rcep.origin.declaration", "previous_declaration_id", "Corrected by", readonly=True
    )
    can_rebuild = fields.Boolean(compute="_compute_actions")
    can_retry = fields.Boolean(compute="_compute_actions")
    can_resubmit = fields.Boolean(compute="_compute_actions")
    can_queue = fields.Boolean(compute="_compute_actions")

    _sql_constraints = [
        (
            "previous_declaration_unique",
            "unique(previous_declaration_id)",
            "A rejected declaration is corrected once: it already has its correction.",
        )
    ]

    @api.depends("sale_order_id", "certificate_number")
    def _compute_name(self):
        for declaration in self:
            declaration.name = declaration.certificate_number or self.env._(
                "Declaration for %s", declaration.sale_order_id.name
            )

    @api.depends(
        "state", "attempts", "request_attachment_id", "connector_id", "correction_ids",
        "sale_order_id.state", "missing_data", "build_detail",
    )  # fmt: skip
    def _compute_actions(self):
        for declaration in self:
            # a confirmed order only: not a cancelled one, nor one set back to quotation
            live = declaration.sale_order_id.state == "sale"
            unsent = declaration.state in ("draft", "to_submit") and not declaration.attempts
            declaration.can_rebuild = live and unsent and not declaration.build_pending
            declaration.can_retry = live and declaration.state == "error"
            declaration.can_resubmit = (
                live and declaration.state == "rejected" and not declaration.correction_ids
            )
            declaration.can_queue = (
                live
                and declaration.state == "draft"
                and bool(declaration.request_attachment_id and declaration.connector_id)
                and not declaration.missing_data
                and not declaration.build_detail
            )

    # --- made at confirmation, built right after ----------------------------------------------

    @api.model
    def _rcep_prepare(self, order, evaluations, previous=None, reuse=None):
        """The declaration of an order's qualifying lines, to be built by the job right after
        the commit. Returns it (empty when nothing qualifies). ``reuse``: a withdrawn draft of
        the same order (confirmed again), rebuilt from these evaluations, not doubled."""
        qualifying = evaluations.filtered(lambda e: e.verdict == "originating")
        if not qualifying:
            return self.browse()
        connector = self.env["rcep.origin.connector"].search(
            [("company_id", "=", order.company_id.id)], limit=1
        )
        if reuse:
            reuse.write(
                {
                    "connector_id": connector.id,
                    "evaluation_ids": [(6, 0, qualifying.ids)],
                    "build_pending": True,
                    "missing_data": False,
                    "build_detail": False,
                    "note": self.env._("Being built and validated."),
                }
            )
            return reuse
        # no "created" message: the order's chatter and the state tracking tell the story
        return self.with_context(mail_create_nolog=True).create(
            {
                "sale_order_id": order.id,
                "company_id": order.company_id.id,
                "connector_id": connector.id,
                "evaluation_ids": [(6, 0, qualifying.ids)],
                "build_pending": True,
                "note": self.env._("Being built and validated."),
                "previous_declaration_id": previous.id if previous else False,
            }
        )

    @api.model
    def _can_commit(self):
        """Whether the job may commit its steps (never inside a test's transaction)."""
        return not config["test_enable"] and not modules.module.current_test

    def _rcep_items(self):
        """The goods by item number, as the declaration lists them (for wording)."""
        return {
            number: evaluation.sale_line_id.product_id.display_name
            or evaluation.product_tmpl_id.display_name
            for number, evaluation in enumerate(self.evaluation_ids, start=1)
        }

    @api.model
    def _rcep_missing(self, data):
        """The required shipment fields (by path) that are empty in ``data``."""
        missing = []
        for path in REQUIRED:
            value = data
            for key in path.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            if not (isinstance(value, str) and value.strip()):
                missing.append(path)
        return missing

    def _rcep_build(self):
        """Build and validate the declaration XML from the order's shipment values and queue
        it (auto-submit on and a connector set), or keep it as a draft that says, in words,
        what to fix; the order's chatter says it too."""
        from connectors.declaration import DeclarationError, build, to_xml
        from connectors.xmlsafe import SchemaInvalid

        self.ensure_one()
        order = self.sale_order_id
        if self._rcep_stopped_by_revocation():
            return
        data = order._rcep_shipment_values(self.idempotency_key, self.evaluation_ids)
        missing = self._rcep_missing(data)
        if missing:
            self._rcep_cannot_build(
                wording.declaration_missing(self.env, missing),
                "SHIPMENT_INVALID: missing " + ", ".join(missing),
                missing,
            )
            return
        reference = self.env["rcep.origin.psr"]._rcep_reference()
        try:
            xml = to_xml(build(data, Path("."), reference))
        except DeclarationError as exc:
            known = exc.path in wording.DECLARATION_FIELDS
            self._rcep_cannot_build(
                wording.declaration_build_problem(self.env, exc.code, exc.path, self._rcep_items()),
                f"{exc.code} at {exc.path}: {exc} {exc.hint}",
                [exc.path] if known else [],
            )
            return
        except (SchemaInvalid, ValueError) as exc:  # lxml refuses control characters
            self._rcep_cannot_build(
                wording.declaration_build_problem(
                    self.env, "SCHEMA_INVALID", "", self._rcep_items()
                ),
                f"SCHEMA_INVALID: {exc}",
                [],
            )
            return
        self.request_attachment_id.unlink()  # a rebuild replaces what was built before
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"rcep-declaration-{self.idempotency_key}.xml",
                "raw": xml,
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        queue = bool(self.connector_id) and order.company_id.rcep_auto_submit
        if queue:
            note = False
        elif not self.connector_id:
            note = wording.declaration_unqueued(self.env, "no_connector")
        else:
            note = wording.declaration_unqueued(self.env, "manual")
        self.write(
            {
                "request_attachment_id": attachment.id,
                "state": "to_submit" if queue else "draft",
                "build_pending": False,
                "note": note,
                "build_detail": False,
                "missing_data": False,
            }
        )

    def _rcep_cannot_build(self, note, detail, missing):
        stale = self.request_attachment_id  # what was built before must not be queued or sent
        self.write(
            {
                "state": "draft",
                "build_pending": False,
                "note": note,
                "build_detail": detail[:2000],
                "missing_data": ",".join(missing) or False,
                "request_attachment_id": False,
            }
        )
        stale.unlink()
        self._rcep_tell_order("unbuilt")

    def _rcep_proof_references(self):
        """The references of the supplier proofs the goods files of this declaration rely on
        (``proof.reference`` of the materials, at any depth)."""
        references = set()

        def walk(lines):
            for line in lines or ():
                reference = (line.get("proof") or {}).get("reference")
                if reference:
                    references.add(reference)
                walk(line.get("bom"))

        for evaluation in self.evaluation_ids:
            good = json.loads(evaluation.goods_json or "{}").get("good") or {}
            walk(good.get("bom"))
        return references

    def _rcep_revoked_proofs(self):
        """The supplier declarations of the company this declaration relied on that were
        revoked since its goods were evaluated (their references, sorted)."""
        self.ensure_one()
        references = self._rcep_proof_references()
        if not references:
            return []
        revoked = (
            self.env["rcep.origin.supplier.declaration"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("name", "in", sorted(references)),
                    ("state", "=", "revoked"),
                ]
            )
        )
        return sorted(set(revoked.mapped("name")))

    def _rcep_stopped_by_revocation(self):
        """A declaration never sent that relies on a revoked proof is not built, queued or
        sent: it stays a draft saying which proof, and the order is told. True when stopped."""
        self.ensure_one()
        if self.attempts:
            return False
        revoked = self._rcep_revoked_proofs()
        if not revoked:
            return False
        self._rcep_cannot_build(
            wording.declaration_proof_revoked(self.env, revoked),
            "PROOF_REVOKED: " + ", ".join(revoked),
            [],
        )
        return True

    def _rcep_build_failed(self, exc):
        """What the job writes when building failed unexpectedly (see ``isolated``)."""
        return {
            "build_pending": False,
            "note": wording.declaration_unexpected(self.env),
            "build_detail": str(exc)[:2000],
        }

    def _rcep_data_now_filled(self):
        """A draft that lacked shipment data has it now: the job builds it again."""
        self.ensure_one()
        if not self.missing_data or not self.can_rebuild:
            return False
        data = self.sale_order_id._rcep_shipment_values(self.idempotency_key, self.evaluation_ids)
        missing = set(self._rcep_missing(data))
        lacked = self.missing_data.split(",")
        return not any(path in missing for path in lacked)

    def _rcep_withdraw(self):
        """The order was cancelled: what was never sent stays a draft that says so. What was
        sent is left to settle (the Single Window may have issued it)."""
        unsent = self.filtered(lambda d: d.state in ("draft", "to_submit") and not d.attempts)
        unsent.write(
            {
                "state": "draft",
                "build_pending": False,
                "missing_data": False,
                "note": wording.declaration_unqueued(self.env, "cancelled"),
            }
        )

    # --- actions ------------------------------------------------------------------------------

    def action_rcep_rebuild(self):
        """Read the order and company data again, and build, validate and queue the
        declaration (never sent yet) again."""
        for declaration in self:
            if not declaration.can_rebuild:
                raise UserError(
                    self.env._(
                        "%(name)s cannot be rebuilt: only a declaration never sent, of an order "
                        "not cancelled, can.",
                        name=declaration.name,
                    )
                )
            declaration._rcep_build()
        self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()

    def action_rcep_retry(self):
        """Send a declaration that failed again now (the same key: never doubled)."""
        for declaration in self.filtered("can_retry"):
            declaration.write({"state": "to_submit", "note": False})
        self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()

    def action_rcep_resubmit(self):
        """After a rejection and its correction: evaluate the order's goods again and submit
        them as a new declaration (new idempotency key) linked to this one, which stays
        rejected on record. Opens the new declaration. One correction only: the rejected row
        is locked while it is made (a second click at the same time is refused), and the
        database refuses a second correction of the same declaration."""
        self.ensure_one()
        self.check_access("write")  # what follows runs as superuser
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = %s FOR UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        self.id,
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "%(name)s is already being corrected by someone else: open it again in a "
                    "moment to see its correction.",
                    name=self.name,
                )
            ) from None
        self.invalidate_recordset()  # read it again, now that it is ours
        if self.correction_ids:
            raise UserError(
                self.env._(
                    "%(name)s was already corrected: see %(correction)s (Related "
                    "declarations). It is not resubmitted twice.",
                    name=self.name,
                    correction=self.correction_ids[:1].display_name,
                )
            )
        if not self.can_resubmit:
            raise UserError(
                self.env._("Only a rejected declaration not corrected yet can be resubmitted.")
            )
        order = self.sale_order_id
        # on the days of the order's confirmation: its date and its shipment day
        values = order._rcep_line_values(*order._rcep_days(order.date_order))
        evaluations = self.env["rcep.origin.evaluation"].sudo().create([v for _l, v in values])
        corrected = self.sudo()._rcep_prepare(order, evaluations, previous=self)
        if not corrected:
            raise UserError(
                self.env._(
                    "None of the goods of %(order)s qualify now, so there is nothing to declare "
                    "again:\n%(findings)s",
                    order=order.name,
                    findings=order._rcep_findings(values),
                )
            )
        corrected._rcep_build()
        self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()
        return corrected._get_records_action()

    def action_queue(self):
        """Queue a built declaration for the Single Window (the cron sends it). Checked here
        too, not only by the button: RPC can call it directly."""
        for declaration in self:
            if not declaration.can_queue or declaration._rcep_stopped_by_revocation():
                raise UserError(
                    self.env._(
                        "%(name)s cannot be queued: only a draft built and validated without a "
                        "problem, of a confirmed order, with a Single Window connector, can. "
                        "%(note)s",
                        name=declaration.name,
                        note=declaration.note or "",
                    )
                )
            declaration.write({"state": "to_submit", "note": False})
        self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()

    def action_open_sale_order(self):
        self.ensure_one()
        return self.sale_order_id._get_records_action()

    def action_open_corrections(self):
        self.ensure_one()
        related = self.correction_ids | self.previous_declaration_id
        return related._get_records_action(name=self.env._("Related declarations"))

    def action_send_to_customer(self):
        """Open the mail composer with the summary PDF and the signed certificate."""
        self.ensure_one()
        template = self.env.ref("rcep_origin.mail_template_rcep_certificate")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    def _rcep_signing_fingerprint(self):
        from connectors.single_window.signing import fingerprint

        pem = self.connector_id.sudo().signing_cert_pem
        return fingerprint(pem.encode()) if pem else ""

    def _rcep_certificate_items(self):
        """The certificate's items, read from the signed XML (for the summary report)."""
        from connectors.summary_pdf import certificate_items

        if not self.certificate_attachment_id:
            return []
        return certificate_items(self.certificate_attachment_id.raw)

    # --- telling the order ------------------------------------------------------------------

    def _rcep_tell_order(self, what):
        """Say on the order's chatter what became of its declaration and, when someone must
        act, give the salesperson and the RCEP manager an activity (closed once issued)."""
        self.ensure_one()
        order = self.sale_order_id.sudo()
        activity = "rcep_origin.mail_activity_rcep_declaration"
        if what == "issued":
            body = self.env._(
                "RCEP certificate of origin %(number)s issued by the Single Window "
                "(reference %(reference)s).",
                number=self.certificate_number,
                reference=self.reference_number,
            )
            order.message_post(body=body, subtype_xmlid="mail.mt_note")
            order.activity_feedback([activity], feedback=body)
            return
        if what == "rejected":
            summary = self.env._("RCEP declaration rejected")
            text = wording.declaration_rejected(self.env, self.rejection)
        elif what == "unbuilt":
            summary = self.env._("RCEP declaration cannot be built")
            text = self.note
        else:  # an error that will not pass by itself
            summary = self.env._("RCEP declaration not sent")
            text = self.note
        order.message_post(body=plaintext2html(text), subtype_xmlid="mail.mt_note")
        order.activity_unlink([activity])  # one current activity each, saying what is current
        for user in self._rcep_to_notify():
            order.activity_schedule(
                activity, user_id=user.id, summary=summary, note=plaintext2html(text)
            )

    def _rcep_to_notify(self):
        """The order's salesperson and the RCEP managers of its company (those whose job it
        is: system administrators only when no one else is an RCEP manager)."""
        users = self.sale_order_id.user_id | self.company_id._rcep_managers()
        return users or self.env.user

    # --- sending, from the cron ---------------------------------------------------------------

    def _rcep_attach_certificate(self, number, signed_xml):
        """The signed certificate on the order and on its invoices (and on this declaration)."""
        Attachment = self.env["ir.attachment"]
        name = f"RCEP-CO-{number}.xml"
        attachment = Attachment.create(
            {
                "name": name,
                "raw": signed_xml,
                "mimetype": "application/xml",
                "res_model": "sale.order",
                "res_id": self.sale_order_id.id,
            }
        )
        for invoice in self.sale_order_id.invoice_ids:
            Attachment.create(
                {
                    "name": name,
                    "raw": signed_xml,
                    "mimetype": "application/xml",
                    "res_model": "account.move",
                    "res_id": invoice.id,
                }
            )
        return attachment

    @api.model
    def _cron_submit(self):
        """Finish what order confirmation left (evaluations' material lines, declarations to
        build), build again drafts whose missing data is now filled in, send what is queued,
        settle what was sent without a known answer, retry transient errors; each record in
        its own transaction (committed when ``_can_commit()``)."""
        commit = self._can_commit()
        Evaluation = self.env["rcep.origin.evaluation"]
        for evaluation in Evaluation.search([("lines_pending", "=", True)], order="id"):
            isolated(
                evaluation, evaluation._rcep_complete_lines, evaluation._rcep_completion_failed
            )
            if commit:
                self.env.cr.commit()
        to_build = self.search([("build_pending", "=", True)], order="id")
        waiting = self.search(
            [("state", "=", "draft"), ("missing_data", "!=", False), ("attempts", "=", 0)],
            order="id",
        )
        to_build |= waiting.filtered(lambda d: d._rcep_data_now_filled())
        for declaration in to_build:
            isolated(declaration, declaration._rcep_build, declaration._rcep_build_failed)
            if commit:
                self.env.cr.commit()
        pending = self.search(
            [
                "|",
                ("state", "in", ("to_submit", "submitted")),
                "&",
                ("state", "=", "error"),
                ("error_transient", "=", True),
            ],
            order="id",
        )
        for declaration in pending:
            try:
                if declaration.sale_order_id.state == "cancel":
                    declaration._rcep_settle_cancelled()
                else:
                    declaration._rcep_send()
            except Exception:
                if not commit:
                    raise
                # what was committed stays ("submitted": the next run asks the status first);
                # the others are still sent
                self.env.cr.rollback()
                _logger.exception("RCEP declaration %s: sending failed", declaration.id)
            if commit:
                self.env.cr.commit()  # a crash later keeps what is settled here

    def _rcep_settle_cancelled(self):
        """The order was cancelled after this declaration may have left: only its status is
        asked, never sent again. Settled from the Single Window's answer when it has it;
        when it never received it, it becomes a draft that says so and is not sent."""
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        if not self.connector_id or not self.request_attachment_id:
            return
        key = self.idempotency_key
        try:
            with self.connector_id._client() as client:
                received = client.status(key) is not None
            # the client asks the status first and settles from it (received: never sent)
            outcome = (
                self.connector_id._rcep_submit(self.request_attachment_id.raw, sent_before=True)
                if received
                else None
            )
        except SingleWindowError as failure:
            self.write(self._rcep_outcome_values(None, failure))
            return
        if outcome is None:
            self.write(
                {
                    "state": "draft",
                    "error_transient": False,
                    "build_pending": False,
                    "note": wording.declaration_unqueued(self.env, "never_received"),
                }
            )
            return
        self._rcep_write_outcome(outcome, None)

    def _rcep_send(self):
        """Send the declaration through its connector and write what came back."""
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        if not self.connector_id or not self.request_attachment_id:
            return
        if self._rcep_stopped_by_revocation():
            return
        xml = self.request_attachment_id.raw
        sent_before = bool(self.attempts)  # answer unknown: the client asks the status first
        self.write({"state": "submitted", "attempts": self.attempts + 1})
        if self._can_commit():
            self.env.cr.commit()  # "submitted" is known before anything leaves
        try:
            outcome, error = (
                self.connector_id._rcep_submit(xml, sent_before),
                None,
            )
        except SingleWindowError as failure:
            outcome, error = None, failure
        self._rcep_write_outcome(outcome, error)

    def _rcep_write_outcome(self, outcome, error):
        """Write what the Single Window answered, and tell the order."""
        values = self._rcep_outcome_values(outcome, error)
        if values.get("state") == "issued":
            values["certificate_attachment_id"] = self._rcep_attach_certificate(
                values["certificate_number"], outcome.certificate_xml
            ).id
        self.write(values)
        if self.state == "issued":
            self._rcep_tell_order("issued")
        elif self.state == "rejected":
            self._rcep_tell_order("rejected")
        elif self.state == "error" and not self.error_transient:
            self._rcep_tell_order("error")

    def _rcep_outcome_values(self, outcome, error=None):
        """The field values of what the Single Window answered (``outcome``, the client's
        Outcome) or of the failure to reach it (``error``, a SingleWindowError). Writes
        nothing."""
        if error is not None:
            return {
                "state": "error",
                "last_error": str(error),
                "error_transient": error.transient,
                "note": wording.declaration_error(self.env, error.code, error.transient),
            }
        entry = outcome.entry
        values = {
            "reference_number": entry.reference_number,
            "last_error": False,
            "error_transient": False,
            "note": False,
        }
        if entry.state == "issued":
            values.update(
                state="issued",
                certificate_number=entry.certificate_number,
                issued_at=entry.issued_at,
                certificate_format=entry.certificate_format,
                signature_verified=True,
            )
        elif entry.state == "rejected":
            reasons = outcome.rejection or []
            values.update(
                state="rejected",
                rejection=wording.declaration_rejection(self.env, reasons, self._rcep_items()),
                rejection_detail="\n".join(
                    f"{r['code']} at {r['field_path']}: {r['message']}" for r in reasons
                ),
            )
        return values

    # --- the buyer's document: the certificate summary and the mail to the customer ------------
    # (kept together at the end of the file: the report, the mail template and their tests use
    # these; the flow above does not)

    def _rcep_check_issued(self):
        """Refuse a summary of what customs has not issued: a draft has no certificate."""
        from odoo.exceptions import UserError

        pending = self.filtered(lambda d: d.state != "issued" or not d.certificate_attachment_id)
        if pending:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The certificate summary can be printed or sent only once the Single Window "
                    "has issued the certificate. %(declaration)s is %(state)s.",
                    declaration=pending[0].name,
                    state=states[pending[0].state],
                )
            )

    def _rcep_customer_lang(self):
        """The customer's language for the summary and the mail; English when none is set."""
        return self.sale_order_id.partner_id.lang or "en_US"

    def _rcep_summary(self):
        """What the buyer's summary shows, read from the signed certificate through connectors,
        and only once its signature verifies with the connector's pinned certificate."""
        from odoo.exceptions import UserError

        from connectors.single_window.signing import SignatureInvalid
        from connectors.summary_pdf import verified_certificate

        self.ensure_one()
        self._rcep_check_issued()
        pem = self.connector_id.sudo().signing_cert_pem
        if not pem:
            raise UserError(
                self.env._(
                    "No signing certificate is pinned on the Single Window connector: the "
                    "signature of %(certificate)s cannot be checked. Ask an administrator to "
                    "fetch it (Single Window connectors, Fetch signing certificate).",
                    certificate=self.certificate_number,
                )
            )
        try:
            summary = verified_certificate(self.certificate_attachment_id.sudo().raw, pem)
        except SignatureInvalid:
            raise UserError(
                self.env._(
                    "The signed certificate %(certificate)s does not verify with the signing "
                    "certificate pinned on the connector: no summary is made of it. If the "
                    "signing certificate was replaced since, ask customs for the certificate "
                    "signed with the new one.",
                    certificate=self.certificate_number,
                )
            ) from None
        summary["issued_local"] = self._rcep_exporter_time(summary["issued_at"])
        summary["criteria"] = self._rcep_criteria_meanings(summary["items"])
        means = summary["transport"]["means"]
        summary["means_label"] = {
            "SEA": self.env._("Sea"),
            "AIR": self.env._("Air"),
            "ROAD": self.env._("Road"),
            "RAIL": self.env._("Rail"),
            "MULTIMODAL": self.env._("Multimodal"),
        }.get(means, means)
        summary["countries"] = {
            country.code: country.name for country in self.env["res.country"].search([])
        }
        for item in summary["items"]:
            value = item["quantity_value"]
            item["quantity_display"] = value.rstrip("0").rstrip(".") if "." in value else value
        return summary

    def _rcep_wrappable(self, text):
        """``text`` with a line-break opportunity after each separator (/ - . , : ;), so that
        a long mark, vessel or port wraps between its groups of characters (the cell's
        break-word is the last resort, for a group longer than the cell)."""
        import re

        from markupsafe import Markup, escape

        parts = re.split(r"(?<=[/\-.,:;])", text or "")
        return Markup("<wbr/>").join(escape(part) for part in parts if part)

    def _rcep_exporter_time(self, issued_at):
        """The issuance time in the exporter's time zone with its offset, e.g.
        "2026-11-18 17:14:05 (UTC+08:00, Asia/Shanghai)". The zone is the company's address's
        (Settings), else that of its country when it has one zone only, else UTC."""
        from datetime import datetime
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        import pytz

        moment = datetime.fromisoformat(issued_at.replace("Z", "+00:00"))
        company = self.company_id
        name = company.partner_id.tz
        if not name and company.country_id.code:
            zones = pytz.country_timezones.get(company.country_id.code, [])
            # one zone, or China's one official time (Asia/Shanghai)
            name = zones[0] if len(zones) == 1 or company.country_id.code == "CN" else None
        try:
            zone = ZoneInfo(name or "UTC")
        except ZoneInfoNotFoundError:
            zone = ZoneInfo("UTC")
        local = moment.astimezone(zone)
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]}, {zone.key})"

    def _rcep_criteria_meanings(self, items):
        """The meaning of each origin criterion and annotation the items use, for the footnote
        (Form RCEP box 10)."""
        _ = self.env._
        meanings = {
            "WO": _("wholly obtained or produced in a Party (Art 3.3)"),
            "PE": _("produced in a Party exclusively from originating materials (Art 3.2(b))"),
            "CTC": _("change in tariff classification, as Annex 3A requires"),
            "RVC": _("regional value content, as Annex 3A requires; the FOB value is shown"),
            "CR": _("chemical reaction, as Annex 3A requires"),
            "ACU": _(
                "accumulation: originating materials of other RCEP Parties count as "
                "originating (Art 3.4)"
            ),
            "DMI": _("de minimis: a small share of non-originating materials is allowed (Art 3.7)"),
        }
        used = []
        for item in items:
            for code in [item["base_criterion"], *item["annotations"]]:
                if code not in used:
                    used.append(code)
        return [(code, meanings.get(code, "")) for code in used]

    def _process_attachments_for_template_post(self, mail_template):
        """The mail to the customer carries the signed XML certificate beside the summary."""
        result = super()._process_attachments_for_template_post(mail_template)
        if mail_template == self.env.ref(
            "rcep_origin.mail_template_rcep_certificate", raise_if_not_found=False
        ):
            self._rcep_check_issued()
            for declaration in self:
                result.setdefault(declaration.id, {}).setdefault("attachment_ids", []).append(
                    declaration.certificate_attachment_id.id
                )
        return result
