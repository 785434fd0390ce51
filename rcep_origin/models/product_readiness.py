"""Readiness (issue 12): the nightly re-evaluation of monitored products, what changed, and
what a product that stops qualifying affects (open sales orders, declarations)."""

import hashlib
import json
import logging
from collections import Counter
from datetime import timedelta

import psycopg2
from odoo import api, fields, models
from odoo.tools import SQL, plaintext2html

from rcep_rules import evaluate, parse_shipment
from rcep_rules.margin import margin

_logger = logging.getLogger(__name__)

BATCH = 200
OPEN_ORDER_STATES = ("draft", "sent", "sale")
LIVE_DECLARATION_STATES = ("draft", "to_submit", "submitted", "issued")


class ResCompany(models.Model):
    _inherit = "res.company"

    rcep_readiness_horizon = fields.Integer(
        "RCEP look-ahead (days)",
        default=60,
        help="The nightly readiness job also evaluates the monitored products this many days "
        "ahead and finds the first day they stop qualifying. 0: today only.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rcep_readiness_horizon = fields.Integer(
        related="company_id.rcep_readiness_horizon", readonly=False
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rcep_readiness_alert = fields.Text(
        "RCEP readiness alert",
        readonly=True,
        copy=False,
        help="A product of this order stops qualifying (or will within the look-ahead).",
    )
    rcep_fob_floor_alert = fields.Text(
        "Below the RCEP FOB floor",
        compute="_compute_rcep_fob_floor_alert",
        help="Lines whose price gives a FOB value below the lowest at which the product "
        "still qualifies for RCEP origin under an RVC alternative of its rule.",
    )

    @api.depends("order_line.rcep_below_fob_floor", "order_line.rcep_fob_unit")
    def _compute_rcep_fob_floor_alert(self):
        for order in self:
            lines = order.order_line.filtered("rcep_below_fob_floor")
            currency = order.company_id.currency_id
            order.rcep_fob_floor_alert = (
                "\n".join(
                    order.env._(
                        "%(product)s: FOB %(fob)s per unit, below its RCEP FOB floor of "
                        "%(floor)s (%(rule)s): at this price it no longer qualifies under that "
                        "rule.",
                        product=line.product_id.display_name,
                        fob=currency.format(line.rcep_fob_unit),
                        floor=currency.format(line.rcep_fob_floor),
                        rule=line.product_id.product_tmpl_id.with_company(order.company_id)
                        .sudo()
                        .rcep_fob_floor_rule
                        or "RVC",
                    )
                    for line in lines
                )
                or False
            )

    def _rcep_mark_monitored(self):
        """The products sold on RCEP orders are monitored from then on."""
        # the salesperson confirms; monitoring is the company's, not a product edit of theirs
        templates = self.filtered("rcep_applicable").order_line.product_id.product_tmpl_id.sudo()
        templates.filtered(lambda t: not t.rcep_monitor).write({"rcep_monitor": True})

    def action_confirm(self):
        result = super().action_confirm()
        self._rcep_mark_monitored()
        return result


class RcepOriginDeclaration(models.Model):
    _inherit = "rcep.origin.declaration"

    rcep_readiness_alert = fields.Text(
        "RCEP readiness alert",
        readonly=True,
        copy=False,
        help="A product declared here stops qualifying (or will within the look-ahead).",
    )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rcep_affected_order_ids = fields.Many2many(
        "sale.order",
        string="Affected sales orders",
        compute="_compute_rcep_affected",
        help="Open sales orders of this product, while it does not qualify or will lapse.",
    )
    rcep_affected_declaration_ids = fields.Many2many(
        "rcep.origin.declaration",
        string="Affected declarations",
        compute="_compute_rcep_affected",
        help="Queued or issued declarations of this product, while it does not qualify or "
        "will lapse.",
    )

    @api.depends("rcep_verdict", "rcep_lapses_on")
    @api.depends_context("company")
    def _compute_rcep_affected(self):
        for template in self:
            orders, declarations = template._rcep_dependents()
            template.rcep_affected_order_ids = orders
            template.rcep_affected_declaration_ids = declarations

    def _rcep_at_risk(self):
        self.ensure_one()
        return bool(
            self.rcep_monitor and (self.rcep_verdict == "not_originating" or self.rcep_lapses_on)
        )

    def _rcep_dependents(self):
        """(open sales orders, queued or issued declarations) that rely on this product."""
        self.ensure_one()
        Order = self.env["sale.order"]
        Declaration = self.env["rcep.origin.declaration"]
        if not self.id or not self._rcep_at_risk():
            return Order, Declaration
        company = self.env.company  # the status is this company's: so are its dependents
        orders = Order.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", OPEN_ORDER_STATES),
                ("order_line.product_id.product_tmpl_id", "=", self.id),
                ("invoice_status", "!=", "invoiced"),
            ]
        ).filtered("rcep_applicable")
        declarations = Declaration.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", LIVE_DECLARATION_STATES),
                ("evaluation_ids.product_tmpl_id", "=", self.id),
            ]
        )
        return orders, declarations

    # --- the nightly job --------------------------------------------------------------------

    @api.model
    def _cron_rcep_readiness(self):
        """Re-evaluate every monitored product of every company, today and at the look-ahead,
        in batches: with OCA queue_job installed one job per batch (channel root.rcep, shared by
        all workers), else batch after batch here, each committed, telling the scheduler what
        is left (`_notify_progress`): a crash loses at most one batch. Each company checks its
        products with its own data and keeps its own status of them (company-dependent)."""
        today = fields.Date.context_today(self)
        todo = []
        for company in self.env["res.company"].sudo().search([]):
            templates = (
                self.sudo()
                .with_company(company)
                .search(
                    [
                        ("rcep_monitor", "=", True),
                        ("company_id", "in", (False, company.id)),
                        "|",
                        ("rcep_readiness_checked_on", "=", False),
                        ("rcep_readiness_checked_on", "<", today),
                    ],
                    order="id",
                )
            )
            todo += [(company, templates[i : i + BATCH]) for i in range(0, len(templates), BATCH)]
        if "queue.job" in self.env.registry:  # OCA queue_job, not a dependency
            for company, batch in todo:
                # the cron may run again before the workers took these jobs: a batch already
                # waiting in the queue (same company, day and products) is not queued twice
                batch.with_company(company).with_delay(
                    channel="root.rcep",
                    description="RCEP readiness",
                    identity_key=_identity_key(company, today, batch),
                )._rcep_readiness_batch()
            return
        commit = self.env["rcep.origin.declaration"]._can_commit()
        done = 0
        remaining = sum(len(batch) for _c, batch in todo)
        for company, batch in todo:
            batch.with_company(company)._rcep_readiness_batch()
            done += len(batch)
            remaining -= len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if commit:
                self.env.cr.commit()

    def _rcep_readiness_batch(self):
        """One batch of the nightly job, in the current company: one evaluation each (the
        same mapping and engine as at confirmation), the look-ahead, the FOB floor, the notes
        and activities. When the goods file (but its date), the rules, the engine and what it
        found are those of the product's latest evaluation, that one is kept and marked
        confirmed today instead of storing a new one. A product that fails is noted on itself
        and stops no other."""
        company = self.env.company
        today = fields.Date.context_today(self)
        horizon = company.rcep_readiness_horizon
        Evaluation = self.env["rcep.origin.evaluation"].sudo()
        destination = self.env["res.country"].search(
            [
                ("rcep_asean", "=", True),
                ("rcep_party", "=", True),
                ("rcep_entry_into_force", "<=", today),
            ],
            order="rcep_entry_into_force, code",
            limit=1,
        )
        templates = self.exists()
        before = {
            t.id: (t.rcep_verdict, t.rcep_lapses_on, t.rcep_last_evaluation_id) for t in templates
        }
        previous = _latest_outcomes(self.env, company, templates.ids)
        products = templates.product_variant_id
        boms = self.env["mrp.bom"]._bom_find(products, company_id=company.id, bom_type="normal")
        all_boms = self.env["mrp.bom"].union(*boms.values()) if boms else self.env["mrp.bom"]
        tree = all_boms._rcep_tree(company, today)
        reference = self.env["rcep.origin.psr"]._rcep_reference()
        values, found, ok_ids, kept = [], {}, [], Evaluation
        for product in products:
            template = product.product_tmpl_id
            try:  # reads and computes only: nothing to undo, no savepoint (2 queries each)
                keep = {}
                fob = template.currency_id._convert(
                    template.list_price, company.currency_id, company, today
                )
                vals = Evaluation._rcep_values(
                    product,
                    boms.get(product, self.env["mrp.bom"]),
                    fob,
                    company.currency_id,
                    destination,
                    today,
                    tree,
                    company=company,
                    keep=keep,
                )
                found[template.id] = _look_ahead(keep, reference, today, horizon)
                vals["outcome_hash"] = _outcome_hash(keep["shipment"], vals)
                last_id, last_hash = previous.get(template.id, (None, None))
                if last_hash and last_hash == vals["outcome_hash"]:
                    kept |= Evaluation.browse(last_id)  # same facts: the latest one stands
                else:
                    values.append(vals)
                ok_ids.append(template.id)
            except psycopg2.Error:
                raise  # the transaction is lost: the batch fails, the batches before stay
            except Exception as exc:  # written on the record, logged
                _logger.exception("RCEP readiness of product %s failed", template.id)
                template.write(
                    {
                        "rcep_readiness_error": self.env._(
                            "The nightly RCEP check failed on %(day)s: %(error)s",
                            day=today,
                            error=exc,
                        ),
                        "rcep_readiness_checked_on": today,
                    }
                )
        Evaluation.create(values)
        if kept:
            kept.write({"confirmed_on": today})
        ok = self.browse(ok_ids)
        for template in ok:
            lapse, floor, floor_rule = found[template.id]
            template.write(
                {
                    "rcep_lapses_on": lapse,
                    "rcep_fob_floor": floor,
                    "rcep_fob_floor_rule": floor_rule,
                    "rcep_readiness_checked_on": today,
                    "rcep_readiness_error": False,
                }
            )
        for template in ok:
            old_verdict, old_lapse, old_evaluation = before[template.id]
            template._rcep_note_change(old_verdict, old_lapse, old_evaluation)

    def _rcep_note_change(self, old_verdict, old_lapse, old_evaluation):
        """A note when the verdict or the lapse day changed; when the product stops qualifying
        or will within the look-ahead, an activity for the RCEP manager on it and on what
        depends on it."""
        self.ensure_one()
        if old_verdict == self.rcep_verdict and old_lapse == self.rcep_lapses_on:
            return
        if not old_verdict and not self.rcep_lapses_on:
            return  # a first status is on the product and the dashboard: nothing changed
        Verdicts = dict(self._fields["rcep_verdict"]._description_selection(self.env))
        _ = self.env._
        lines = []
        if old_verdict != self.rcep_verdict:
            lines.append(
                _(
                    "RCEP status: %(old)s → %(new)s.",
                    old=Verdicts.get(old_verdict, _("none")),
                    new=Verdicts.get(self.rcep_verdict),
                )
            )
        if old_lapse != self.rcep_lapses_on:
            lines.append(
                _("It stops qualifying on %s.", self.rcep_lapses_on)
                if self.rcep_lapses_on
                else _("It no longer lapses within the look-ahead.")
            )
        lines += _what_changed(self.env, old_evaluation, self.rcep_last_evaluation_id)
        body = "\n".join(lines)
        self.message_post(body=plaintext2html(body))
        stops = old_verdict == "originating" and self.rcep_verdict != "originating"
        lapses = bool(self.rcep_lapses_on) and old_lapse != self.rcep_lapses_on
        if not (stops or lapses):
            return
        manager = self.env.ref("rcep_origin.group_rcep_manager").users.sorted("id")[:1]
        user = (manager or self.env.user).id
        summary = _("RCEP: %s stops qualifying", self.display_name)
        self.activity_schedule(
            "mail.mail_activity_data_todo", user_id=user, summary=summary, note=plaintext2html(body)
        )
        orders, declarations = self._rcep_dependents()
        alert = _("%(product)s: %(what)s", product=self.display_name, what=body)
        for record in [*orders, *declarations]:
            record.sudo().write({"rcep_readiness_alert": alert})
            record.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user,
                summary=summary,
                note=plaintext2html(alert),
            )


def _identity_key(company, day, batch):
    """What identifies one batch of the nightly job in queue_job: its company, day and
    products (queue_job does not queue a job whose key is already waiting)."""
    ids = ",".join(str(i) for i in batch.ids)
    digest = hashlib.sha256(ids.encode()).hexdigest()[:16]  # an identity, not a secret
    return f"rcep_readiness:{company.id}:{day}:{digest}"


def _latest_outcomes(env, company, template_ids):
    """{product.template id: (id, outcome hash)} of the products' latest evaluations in
    ``company`` (one query for the batch)."""
    if not template_ids:
        return {}
    env["rcep.origin.evaluation"].flush_model(["is_latest", "outcome_hash"])
    env.cr.execute(
        SQL(
            "SELECT product_tmpl_id, id, outcome_hash FROM rcep_origin_evaluation"
            " WHERE is_latest AND company_id = %s AND product_tmpl_id = ANY(%s)",
            company.id,
            list(template_ids),
        )
    )
    return {row[0]: (row[1], row[2]) for row in env.cr.fetchall()}


def _outcome_hash(shipment, vals):
    """SHA-256 of what an evaluation says, but its date: the goods file without its shipment
    date, the rules and the engine, the verdict, criterion and RVC, and the issues (code,
    severity, path). Equal on two days: nothing changed worth a new evaluation."""
    outcome = {
        "goods": {k: v for k, v in shipment.items() if k != "shipment_date"},
        **{
            key: vals.get(key)
            for key in (
                "rules_digest",
                "engine_version",
                "verdict",
                "criterion",
                "annotations",
                "satisfied",
                "rule_text",
                "rule_source",
                "build_down",
                "build_up",
                "vnm",
            )
        },
        "issues": sorted(
            (i["code"], i["severity"], i["path"] or "") for _0, _1, i in vals["issue_ids"]
        ),
    }
    return hashlib.sha256(json.dumps(outcome, sort_keys=True).encode()).hexdigest()


def _look_ahead(keep, reference, today, horizon):
    """(lapse day, FOB floor, the rule alternative it keeps) of a good from its evaluation
    today. The FOB floor: the lowest FOB at which it still qualifies under an RVC alternative
    (the engine's margin, verified by evaluating at that FOB); none when it qualifies at any
    price or does not qualify. The lapse day: the first day within the look-ahead on which it
    stops qualifying, or False. A single proof whose expiry alone breaks it: the day after it
    ends (the engine's margin); otherwise, if the good fails at the horizon, the first day
    after a proof's end that it fails on (the engine run again on the same goods file)."""
    result = keep["result"]
    if not result.originating:
        return False, 0.0, False
    found = margin(result, reference, horizon)
    floor, floor_rule = 0.0, False
    if found.fob_floor is not None and found.fob_floor_verified and not found.any_price:
        floor, floor_rule = float(found.fob_floor), found.fob_floor_alternative
    return _first_lapse(found, keep, reference, today, horizon), floor, floor_rule


def _first_lapse(found, keep, reference, today, horizon):
    if not horizon:
        return False
    if found.breaking:
        return min(e.valid_through for e in found.breaking) + timedelta(days=1)
    last = today + timedelta(days=horizon)
    if _originating_on(keep["shipment"], reference, last):
        return False
    days = sorted({e.valid_through + timedelta(days=1) for e in found.expiring})
    for day in days:
        if day <= last and not _originating_on(keep["shipment"], reference, day):
            return day
    return last


def _originating_on(shipment, reference, day):
    shipment = dict(shipment, shipment_date=fields.Date.to_string(day))
    return bool(evaluate(parse_shipment(shipment), reference).originating)


def _what_changed(env, old, new):
    """What differs between two evaluations' goods files and rules, in words."""
    _ = env._
    if not old:
        return [_("First evaluation by the nightly job.")]
    if not new or old == new:
        return []

    def walk(good):
        codes, proofs = Counter(), {}
        stack = list(good.get("bom", ()))
        while stack:
            line = stack.pop()
            codes[line.get("code")] += 1
            proof = line.get("proof")
            if proof:
                proofs[proof["reference"]] = proof.get("valid_until")
            stack.extend(line.get("bom", ()))
        return codes, proofs

    old_codes, old_proofs = walk(json.loads(old.goods_json or "{}").get("good", {}))
    new_codes, new_proofs = walk(json.loads(new.goods_json or "{}").get("good", {}))
    lines = []
    old_day, new_day = fields.Date.to_string(old.date), fields.Date.to_string(new.date)
    for reference, until in sorted(old_proofs.items()):
        if reference not in new_proofs:
            lines.append(
                _(
                    "The proof %(ref)s (valid until %(until)s) no longer counts.",
                    ref=reference,
                    until=until,
                )
            )
            continue
        ends = new_proofs[reference]  # ISO dates compare as text
        if ends and ends < new_day and not (until and until < old_day):
            lines.append(
                _(
                    "The proof %(ref)s expired: it was valid until %(until)s.",
                    ref=reference,
                    until=ends,
                )
            )
    for reference in sorted(set(new_proofs) - set(old_proofs)):
        lines.append(_("The proof %s now counts.", reference))
    for code in sorted((new_codes - old_codes).keys()):
        lines.append(_("BOM line added: %s.", code))
    for code in sorted((old_codes - new_codes).keys()):
        lines.append(_("BOM line removed: %s.", code))
    if old.rule_text != new.rule_text:
        lines.append(
            _(
                "Rule imported: %(rule)s (%(source)s).",
                rule=new.rule_text,
                source=new.rule_source or "",
            )
            if new.rule_text
            else _("The rule %s is no longer found.", old.rule_text)
        )
    return lines
