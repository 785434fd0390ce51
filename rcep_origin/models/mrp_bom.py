from decimal import Decimal

from odoo import _, fields, models


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    def action_rcep_evaluate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Evaluate RCEP origin"),
            "res_model": "rcep.origin.evaluate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_bom_id": self.id},
        }

    # --- Odoo records -> the engine's goods file (DESIGN.md) -------------------------------------

    def _rcep_good(self, product, bom, fob, day, company, proofs=None):
        """The goods file's ``good`` for a product made with ``bom`` (may be empty for a wholly
        obtained product). Components that have a normal BOM of their own are in-house
        sub-assemblies (Odoo's explode() only follows kits, so the recursion is ours)."""
        template = product.product_tmpl_id
        good = {
            "code": product.default_code or product.display_name,
            "description": product.name,
            "hs_code": template.hs_code or None,
            "hs_version": template.rcep_hs_version,
            "fob": str(Decimal(str(fob))),
            "processes": template.rcep_process_ids.mapped("code"),
            "wholly_obtained": template.rcep_wholly_obtained,
        }
        if bom:
            if proofs is None:
                proofs = self._rcep_proofs(bom, company, day)
            good["bom"] = bom._rcep_lines(company, day, proofs, (product.id,))
        return good

    def _rcep_proofs(self, bom, company, day):
        """Valid supplier declarations for every bought component of the BOM trees (one or
        many BOMs), in one query: {(supplier, template): declaration}."""
        templates = self.env["product.template"]
        boms, seen = bom, self.env["mrp.bom"]
        while boms:
            seen |= boms
            components = boms.bom_line_ids.product_id
            templates |= components.product_tmpl_id
            found = self._bom_find(components, company_id=company.id, bom_type="normal")
            boms = self.env["mrp.bom"].union(*found.values()) - seen if found else boms.browse()
        # sudo: a salesman confirming an order may not read declarations, but they count
        declarations = (
            self.env["rcep.origin.supplier.declaration"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "valid"),
                    ("product_tmpl_ids", "in", templates.ids),
                    ("valid_from", "<=", day),
                    ("valid_to", ">=", day),
                    ("originating", "=", True),
                ]
            )
        )
        proofs = {}
        for declaration in declarations:
            for template in declaration.product_tmpl_ids:
                proofs.setdefault((declaration.partner_id.id, template.id), declaration)
        return proofs

    def _rcep_lines(self, company, day, proofs, ancestors):
        self.ensure_one()
        lines = []
        components = self.bom_line_ids.product_id
        sub_boms = self._bom_find(components, company_id=company.id, bom_type="normal")
        for line in self.bom_line_ids:
            product = line.product_id
            template = product.product_tmpl_id
            quantity = line.product_uom_id._compute_quantity(line.product_qty, product.uom_id)
            entry = {
                "_product_id": product.id,
                "code": product.default_code or product.display_name,
                "description": product.name,
                "hs_code": template.hs_code or None,
                "hs_version": template.rcep_hs_version,
                "quantity": repr(quantity / (self.product_qty or 1.0)),
            }
            sub = sub_boms.get(product)
            if sub:
                entry["processes"] = template.rcep_process_ids.mapped("code")
                entry["wholly_obtained"] = template.rcep_wholly_obtained
                if product.id in ancestors:
                    entry["bom"] = []  # the engine reports BOM_CYCLE for this line
                else:
                    entry["bom"] = sub._rcep_lines(company, day, proofs, (*ancestors, product.id))
                lines.append(entry)
                continue
            entry["unit_cost"] = repr(product.standard_price)
            declaration = next(
                (
                    proofs[(seller.partner_id.id, template.id)]
                    for seller in template.seller_ids
                    if (seller.partner_id.id, template.id) in proofs
                ),
                None,
            )
            if declaration:
                entry["origin_country"] = declaration.origin_country_id.code
                entry["proof"] = {
                    "type": declaration.proof_type,
                    "reference": declaration.name,
                    "valid_until": fields.Date.to_string(declaration.valid_to),
                }
            elif template.country_of_origin:
                entry["origin_country"] = template.country_of_origin.code
            entry["wholly_obtained"] = template.rcep_wholly_obtained
            lines.append(entry)
        return lines
