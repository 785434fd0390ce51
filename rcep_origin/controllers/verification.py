"""The buyer's verification page, public: ``/rcep/verify/<token>`` and the files it offers.
The declaration model finds the certificate, counts the request and prepares what is shown;
this controller only turns that into responses. Every answer carries the same headers: never
indexed, never cached, no referrer (the token is in the address)."""

from odoo import http
from odoo.http import content_disposition, request

PRIVATE = [
    ("X-Robots-Tag", "noindex, nofollow, noarchive"),
    ("Cache-Control", "no-store, private"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
]


class RcepVerification(http.Controller):
    @http.route(
        "/rcep/verify/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=False,  # every request is counted (rcep.origin.verification.throttle)
    )
    def rcep_verify(self, token, **kwargs):
        status, declaration = self._rcep_lookup(token)
        if status != "found":
            return self._rcep_refusal(status)
        values = declaration._rcep_verification_page_values()
        request.update_context(lang=values["lang"])
        return request.render("rcep_origin.verification_page", values, headers=PRIVATE)

    @http.route(
        "/rcep/verify/<string:token>/<string:filename>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=False,
    )
    def rcep_verify_file(self, token, filename, **kwargs):
        status, declaration = self._rcep_lookup(token)
        found = declaration._rcep_verification_file(filename) if status == "found" else None
        if not found:
            return self._rcep_refusal("throttled" if status == "throttled" else "not_found")
        mimetype, content = found
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Disposition", content_disposition(filename)),
                *PRIVATE,
            ],
        )

    def _rcep_lookup(self, token):
        return request.env["rcep.origin.declaration"]._rcep_verification_lookup(
            token, request.httprequest.remote_addr
        )

    def _rcep_refusal(self, status):
        """The one "not found" page (unknown and revoked links alike: same status, same body),
        or "too many requests"; neither depends on any certificate."""
        headers = [("Content-Type", "text/html; charset=utf-8"), *PRIVATE]
        if status == "throttled":
            template, code = "rcep_origin.verification_throttled", 429
            limits = request.env["rcep.origin.verification.throttle"]._rcep_limits()
            headers.append(("Retry-After", str(limits["block_minutes"] * 60)))
        else:
            template, code = "rcep_origin.verification_not_found", 404
        html = request.env["ir.qweb"]._render(template, {})
        return request.make_response(html, headers=headers, status=code)
