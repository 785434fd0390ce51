"""A product on a request to a vendor, and the vendor's answer for it from the portal."""

from odoo import api, fields, models


class RcepOriginSupplierRequestLine(models.Model):
    _name = "rcep.origin.supplier.request.line"
    _description = "Product of an RCEP origin declaration request"
    _order = "request_id, id"

    request_id = fields.Many2one(
        "rcep.origin.supplier.request", "Request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", required=True)
    default_code = fields.Char("Our item code", related="product_tmpl_id.default_code")
    vendor_code = fields.Char(
        "Vendor item code", help="The vendor's code on its price list line (Vendor Product Code)."
    )
    description = fields.Char("Description", related="product_tmpl_id.name")
    hs_code = fields.Char("HS code", related="product_tmpl_id.hs_code")
    declaration_ids = fields.One2many(
        "rcep.origin.supplier.declaration", "rcep_request_line_id", "Answers"
    )
    declaration_id = fields.Many2one(
        "rcep.origin.supplier.declaration",
        "Latest answer",
        compute="_compute_state",
        store=True,
    )
    state = fields.Selection(
        [
            ("open", "Waiting for the vendor"),
            ("submitted", "To review"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        "Status",
        compute="_compute_state",
        store=True,
    )

    @api.depends("declaration_ids.state")
    def _compute_state(self):
        for line in self:
            latest = line.declaration_ids.sorted("id")[-1:]
            line.declaration_id = latest
            # a revoked answer (or one reset to draft) is asked for again
            line.state = {
                "submitted": "submitted",
                "refused": "refused",
                "valid": "approved",
                "expired": "approved",
            }.get(latest.state, "open")

    # --- the vendor's answer from the portal --------------------------------------------------

    def _rcep_portal_answer(self, form, filename=None, content=None):
        """The vendor's answer for this product, from the portal form: a declaration in the
        Submitted state with the uploaded document attached, and the vendor's words in its
        chatter. Returns the errors to show on the page (nothing is created when there are
        any). Run with sudo, after the request's token was checked."""
        self.ensure_one()
        env = self.env
        # one answer at a time per product: a second submit (a double click) waits here,
        # then finds the answer made by the first
        env.cr.execute(
            "SELECT id FROM rcep_origin_supplier_request_line WHERE id = %s FOR UPDATE",
            [self.id],
        )
        self.invalidate_recordset(["state", "declaration_id"])
        self.declaration_ids.invalidate_recordset(["state"])
        if self.state in ("submitted", "approved"):
            return [
                env._(
                    "%(product)s is already answered (%(state)s): nothing was changed.",
                    product=self.product_tmpl_id.display_name,
                    state=self._state_label(),
                )
            ]
        Declaration = env["rcep.origin.supplier.declaration"]
        values, errors = Declaration._rcep_portal_values(self, form)
        if content:
            document, document_errors = Declaration._rcep_portal_document(
                self, filename or "document", content
            )
            errors += document_errors
            values.update(document.get("values", {}))
        elif values.get("originating"):
            errors.append(
                env._(
                    "Upload your declaration or certificate of origin (PDF, or the signed "
                    "XML certificate)."
                )
            )
            document = {}
        else:
            document = {}
        if errors:
            self._rcep_note_refused_answer(errors)
            return errors
        declaration = Declaration.with_context(mail_create_nolog=True).create(values)
        attachment = env["ir.attachment"]
        if document:
            attachment = attachment.create(
                {
                    "name": document["name"],
                    "raw": content,
                    "mimetype": document["mimetype"],
                    "res_model": Declaration._name,
                    "res_id": declaration.id,
                }
            )
        declaration._rcep_note_submission(self, form, attachment, document.get("note"))
        return []

    def _rcep_note_refused_answer(self, errors):
        """An answer the portal did not take (a forged certificate, a missing signature), in
        the request's chatter: what the vendor tried is kept even when nothing was saved."""
        self.request_id.message_post(
            body=self.env._(
                "An answer of %(vendor)s for %(product)s was not saved: %(errors)s",
                vendor=self.request_id.partner_id.name,
                product=self.product_tmpl_id.display_name,
                errors=" ".join(errors),
            ),
            author_id=self.request_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]
