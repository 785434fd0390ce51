"""The supplier portal: a vendor opens an origin declaration request with the link of its mail
(access token, no Odoo user needed) and answers product by product. The request model checks
the token and does the work; this only reads the form and renders."""

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError
from odoo.http import request


class RcepSupplierPortal(CustomerPortal):
    def _rcep_request_or_none(self, request_id, access_token):
        try:
            return request.env["rcep.origin.supplier.request"]._rcep_portal_find(
                request_id, access_token
            )
        except AccessError as exc:
            return exc

    def _rcep_render(self, rfq, status=200, **values):
        return request.render(
            "rcep_origin.portal_rcep_supplier_request",
            rfq._rcep_portal_values() | values,
            status=status,
        )

    def _rcep_refused_link(self, error):
        return request.render(
            "rcep_origin.portal_rcep_supplier_request_invalid",
            {"message": error.args[0]},
            status=403,
        )

    @http.route(
        "/my/rcep/origin/<int:request_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def rcep_supplier_request(self, request_id, access_token=None, answered=None, **kw):
        rfq = self._rcep_request_or_none(request_id, access_token)
        if isinstance(rfq, AccessError):
            return self._rcep_refused_link(rfq)
        return self._rcep_render(rfq, answered=answered)

    @http.route(
        "/my/rcep/origin/<int:request_id>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def rcep_supplier_answer(self, request_id, access_token=None, line_id=None, **form):
        rfq = self._rcep_request_or_none(request_id, access_token)
        if isinstance(rfq, AccessError):
            return self._rcep_refused_link(rfq)
        try:
            line = rfq._rcep_portal_line(line_id)
        except AccessError as exc:  # a product that is not on this vendor's request
            return self._rcep_refused_link(exc)
        upload = request.httprequest.files.get("document")
        content = upload.read() if upload and upload.filename else None
        errors = line._rcep_portal_answer(form, upload.filename if content else None, content)
        if errors:
            return self._rcep_render(rfq, status=400, errors=errors, error_line=line.id, form=form)
        return request.redirect(
            f"{rfq.get_portal_url()}&answered={line.id}#line-{line.id}", local=True
        )
