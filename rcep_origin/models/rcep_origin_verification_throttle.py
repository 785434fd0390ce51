import ipaddress
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# what one client address may ask of the public verification page in one window, unless the
# system parameters say otherwise (Settings > Technical > System Parameters)
LIMITS = {
    "rcep_origin.verification_max_misses": 10,  # unknown or revoked links
    "rcep_origin.verification_max_requests": 60,  # every request, found or not
    "rcep_origin.verification_window_minutes": 10,
    "rcep_origin.verification_block_minutes": 30,
}


class RcepOriginVerificationThrottle(models.Model):
    """How often one client address asked the public verification page (``/rcep/verify``)
    within the current window: links found (hits) and links unknown or revoked (misses). An
    address that guessed wrong too often, or asked too much, is refused for a while (HTTP 429),
    so that the page cannot be used to enumerate certificates. Kept in the database, not in a
    worker's memory, so that every worker of the server counts alike; one row per address
    (IPv6: per /64 network, what one client usually holds), locked while a request counts, so
    that parallel requests are all counted."""

    _name = "rcep.origin.verification.throttle"
    _description = "RCEP verification page: requests per client address"
    _log_access = False

    address = fields.Char(required=True, readonly=True)
    window_start = fields.Datetime(required=True, readonly=True)
    hits = fields.Integer(readonly=True)
    misses = fields.Integer(readonly=True)
    blocked_until = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("address_unique", "unique(address)", "One counter per client address."),
    ]

    @api.model
    def _rcep_limits(self):
        """The limits in force: the system parameters where set to a positive whole number,
        else the defaults (``LIMITS``)."""
        parameters = self.env["ir.config_parameter"].sudo()
        limits = {}
        for key, default in LIMITS.items():
            try:
                value = int(parameters.get_param(key, default))
            except (TypeError, ValueError):
                value = default
            limits[key.rsplit(".", 1)[1].removeprefix("verification_")] = (
                value if value > 0 else default
            )
        return limits

    @api.model
    def _rcep_client_key(self, address):
        """The address counted for a client: itself, or its /64 network for IPv6 (a client
        usually holds a whole /64 and could change address at will inside it)."""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return (address or "unknown")[:64]
        if ip.version == 6 and ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        if ip.version == 6:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    @api.model
    def _rcep_lock(self, address, now):
        """This address's counter, created if new, locked for the rest of the transaction,
        its window restarted when it is over (and its block with it, once that is over too).
        Returns (hits, misses, blocked_until). Plain SQL: the page is public, the counter is
        nobody's record."""
        window = timedelta(minutes=self._rcep_limits()["window_minutes"])
        cr = self.env.cr
        cr.execute(
            SQL(
                "INSERT INTO %s (address, window_start, hits, misses) VALUES (%s, %s, 0, 0) "
                "ON CONFLICT (address) DO NOTHING",
                SQL.identifier(self._table),
                address,
                now,
            )
        )
        cr.execute(
            SQL(
                "SELECT window_start, hits, misses, blocked_until FROM %s WHERE address = %s "
                "FOR UPDATE",
                SQL.identifier(self._table),
                address,
            )
        )
        window_start, hits, misses, blocked_until = cr.fetchone()
        if blocked_until and blocked_until <= now:
            blocked_until = None
        if window_start + window <= now and not blocked_until:
            window_start, hits, misses = now, 0, 0
            cr.execute(
                SQL(
                    "UPDATE %s SET window_start = %s, hits = 0, misses = 0, blocked_until = NULL "
                    "WHERE address = %s",
                    SQL.identifier(self._table),
                    now,
                    address,
                )
            )
        return hits, misses, blocked_until

    @api.model
    def _rcep_admit(self, address, now=None):
        """Whether a request from ``address`` may be answered now (False: refused, 429). Takes
        the address's counter and holds it until ``_rcep_count`` counts the request."""
        now = now or fields.Datetime.now()
        _hits, _misses, blocked_until = self._rcep_lock(self._rcep_client_key(address), now)
        return not blocked_until

    @api.model
    def _rcep_count(self, address, found, now=None):
        """Count one answered request from ``address`` (``found``: the link led to a
        certificate), and block the address for a while when it reached a limit."""
        now = now or fields.Datetime.now()
        key = self._rcep_client_key(address)
        hits, misses, _blocked = self._rcep_lock(key, now)
        hits, misses = hits + bool(found), misses + (not found)
        limits = self._rcep_limits()
        blocked = misses >= limits["max_misses"] or hits + misses >= limits["max_requests"]
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET hits = %s, misses = %s, blocked_until = %s WHERE address = %s",
                SQL.identifier(self._table),
                hits,
                misses,
                now + timedelta(minutes=limits["block_minutes"]) if blocked else None,
                key,
            )
        )

    @api.autovacuum
    def _gc_rcep_throttle(self):
        """Forget addresses not seen for a day and not blocked."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE window_start < %s "
                "AND (blocked_until IS NULL OR blocked_until < %s)",
                SQL.identifier(self._table),
                now - timedelta(days=1),
                now,
            )
        )
