from decimal import Decimal

from odoo import fields, models
from odoo.tools import SQL


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    def action_rcep_evaluate(self):
        self.ensure_one()
        return self.env["rcep.origin.evaluate.wizard"]._rcep_open(bom_id=self.id)

    # --- Odoo records -> the engine's goods file (DESIGN.md) -------------------------------------

    def _rcep_good(self, product, bom, fob, tree):
        """The goods file's ``good`` for a product made with ``bom`` (may be empty for a wholly
        obtained product), and the product ids of its BOM lines, depth first (the order of
        `bom_paths`). Components that have a normal BOM of their own are in-house
        sub-assemblies (Odoo's explode() only follows kits, so the recursion is ours)."""
        good = {
            **_described(product),
            "fob": str(Decimal(str(fob))),
            **_made_here(product.product_tmpl_id),
        }
        product_ids = []
        if bom:
            good["bom"] = bom._rcep_lines(tree, (product.id,), product_ids)
        return good, product_ids

    def _rcep_tree(self, company, day):
        """What mapping these BOMs (any number) to goods files needs, read once for all of
        them: the lines of every BOM down the trees, the BOM of every in-house component, and
        where every component comes from and what proves its origin (its vendors and their
        declarations, a query each for all components)."""
        # the costs (standard_price) are per company: the evaluating company's, whichever
        # company the user has open
        Product = self.env["product.product"].with_company(company)
        sub_boms, lines = {}, {}
        boms, seen = self, self.env["mrp.bom"]
        while boms:
            seen |= boms
            found_lines = boms._rcep_read_lines()
            lines.update(found_lines)
            components = Product.browse({row[0] for rows in found_lines.values() for row in rows})
            found = self._bom_find(
                components._rcep_maybe_made(), company_id=company.id, bom_type="normal"
            )
            for product, sub in found.items():
                sub_boms[product.id] = sub
            boms = self.env["mrp.bom"].union(*found.values()) - seen if found else boms.browse()
        components = Product.browse({row[0] for rows in lines.values() for row in rows})
        return BomTree(components, lines, sub_boms, components._rcep_sourcing(company, day))

    def _rcep_read_lines(self):
        """{BOM id: [(product id, quantity, UoM id), ...]} in the lines' order. One query, not
        thousands of ORM reads: an order of 20 products with 200-line BOMs is 4,000 lines, read
        while a salesman waits for the confirmation."""
        self.env["mrp.bom.line"].flush_model(
            ["bom_id", "product_id", "product_qty", "product_uom_id", "sequence"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT bom_id, product_id, product_qty, product_uom_id FROM mrp_bom_line"
                " WHERE bom_id = ANY(%s) ORDER BY sequence, id",
                self.ids,
            )
        )
        lines = {bom_id: [] for bom_id in self.ids}
        for bom_id, product_id, quantity, uom_id in self.env.cr.fetchall():
            lines[bom_id].append((product_id, quantity, uom_id))
        return lines

    def _rcep_lines(self, tree, ancestors, product_ids):
        self.ensure_one()
        lines = []
        per_unit = self.product_qty or 1.0
        for product_id, quantity, uom_id in tree.lines[self.id]:
            if uom_id != tree.uom(product_id):
                quantity = (
                    self.env["uom.uom"]
                    .browse(uom_id)
                    ._compute_quantity(quantity, tree.product(product_id).uom_id, round=False)
                )
            product_ids.append(product_id)
            sub = tree.sub_boms.get(product_id)
            if not sub:
                lines.append(dict(tree.bought(product_id), quantity=repr(quantity / per_unit)))
                continue
            product = tree.product(product_id)
            entry = {
                **_described(product),
                "quantity": repr(quantity / per_unit),
                **_made_here(product.product_tmpl_id),
            }
            if product_id in ancestors:
                entry["bom"] = []  # the engine reports BOM_CYCLE for this line
            else:
                entry["bom"] = sub._rcep_lines(tree, (*ancestors, product_id), product_ids)
            lines.append(entry)
        return lines


class BomTree:
    """BOM lines, the BOMs of in-house components and where components come from, for
    mapping BOM trees to goods files; a bought component's line is made once however often
    it is used."""

    def __init__(self, components, lines, sub_boms, sourcing):
        self._products = {product.id: product for product in components}  # one prefetch
        self.lines = lines  # {BOM id: [(product id, quantity, UoM id)]}
        self.sub_boms = sub_boms  # {product id: mrp.bom}
        self.sourcing = sourcing  # {product id: Sourcing}: vendors, proof, coverage
        self._uoms = {}
        self._bought = {}
        self._coverage = None

    def product(self, product_id):
        return self._products[product_id]

    def uom(self, product_id):
        uom = self._uoms.get(product_id)
        if uom is None:
            uom = self._uoms[product_id] = self.product(product_id).uom_id.id
        return uom

    def bought(self, product_id):
        """A bought component's BOM line, without its quantity."""
        entry = self._bought.get(product_id)
        if entry is None:
            entry = self._bought[product_id] = self._bought_line(self.product(product_id))
        return entry

    def coverage(self, product_ids):
        """{product id: [vendors, proved, rcep vendor]} of the bought components among
        ``product_ids`` that have vendors: what the evaluation lines show of them."""
        if self._coverage is None:
            self._coverage = {
                product_id: [sourcing.vendors, sourcing.proved, sourcing.rcep_vendor]
                for product_id, sourcing in self.sourcing.items()
                if sourcing.vendors and product_id not in self.sub_boms
            }
        known = self._coverage
        return {product_id: known[product_id] for product_id in set(product_ids) & known.keys()}

    def _bought_line(self, product):
        template = product.product_tmpl_id
        entry = {**_described(product), "unit_cost": repr(product.standard_price)}
        declaration = self.sourcing[product.id].proof
        if declaration:
            entry["origin_country"] = declaration.origin_country_id.code
            entry["proof"] = {
                "type": declaration.proof_type,
                "reference": declaration.name,
                "issue_date": fields.Date.to_string(declaration.valid_from),
                "valid_until": fields.Date.to_string(declaration.valid_to),
            }
        elif template.country_of_origin:
            entry["origin_country"] = template.country_of_origin.code
        if template.rcep_wholly_obtained:  # false is the goods file's default
            entry["wholly_obtained"] = True
        return entry


def _described(product):
    """What names a product in a goods file: its code, description and HS code (edition)."""
    template = product.product_tmpl_id
    return {
        "code": product.default_code or product.display_name,
        "description": product.name,
        "hs_code": template.hs_code or None,
        "hs_version": template.rcep_hs_version,
    }


def _made_here(template):
    """How an in-house product is made: its processes, or wholly obtained."""
    return {
        "processes": template.rcep_process_ids.mapped("code"),
        "wholly_obtained": template.rcep_wholly_obtained,
    }


def bom_paths(good, path="good"):
    """The goods-file paths of a good's BOM lines, depth first."""
    for index, line in enumerate(good.get("bom", ())):
        line_path = f"{path}.bom[{index}]"
        yield line_path
        yield from bom_paths(line, line_path)
