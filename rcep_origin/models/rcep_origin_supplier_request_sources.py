"""Where an origin declaration request starts: a vendor, products (one, or a list of
components), and the readiness dashboard's products whose bought components lack a valid
proof. Each sends one request per vendor and opens what was sent."""

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_rcep_request_origin_declaration(self):
        """Contacts › (vendor) › Action › Request origin declaration: every product the
        vendor supplies to us (its price list lines)."""
        Request = self.env["rcep.origin.supplier.request"]
        requests = Request.browse()
        for vendor in self.commercial_partner_id:
            requests |= Request._rcep_request(vendor)
        requests.action_send()
        return requests._rcep_action_open()


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def action_rcep_request_origin_declaration(self):
        """Products › Action › Request origin declaration: one request to each vendor of the
        selected products, for the ones it supplies."""
        return self.env["rcep.origin.supplier.request"]._rcep_request_products(self)


class ProductProduct(models.Model):
    _inherit = "product.product"

    def action_rcep_request_origin_declaration(self):
        return self.product_tmpl_id.action_rcep_request_origin_declaration()

    def _rcep_without_proof(self, company, day):
        """These products less those whose every vendor has a proof valid on ``day``."""
        sourcing = self._rcep_sourcing(company, day)
        return self.filtered(
            lambda p: sourcing[p.id].vendors and sourcing[p.id].proved < sourcing[p.id].vendors
        )


class RcepReadinessReport(models.Model):
    _inherit = "rcep.readiness.report"

    def action_rcep_request_origin_declaration(self):
        """RCEP readiness › (products) › Action › Request origin declaration: the bought
        components of their bills of materials, at any depth, that lack a valid proof today."""
        company = self.env.company
        components = self.env["product.product"]
        for template in self.product_tmpl_id:
            bom = self.env["mrp.bom"]._bom_find(template.product_variant_id, company_id=company.id)
            bom = bom.get(template.product_variant_id)
            if not bom:
                continue
            __, lines = bom.explode(template.product_variant_id, 1)
            components |= self.env["product.product"].union(
                *[line.product_id for line, __ in lines]
            )
        bought = components.filtered("seller_ids")
        missing = bought._rcep_without_proof(company, fields.Date.context_today(self))
        return self.env["rcep.origin.supplier.request"]._rcep_request_products(
            missing.product_tmpl_id
        )
