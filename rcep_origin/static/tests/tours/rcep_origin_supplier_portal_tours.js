/** @odoo-module **/
// The supplier portal in a real browser: the vendor opens the link of its mail (no login) and
// answers for the product it supplies; then the compliance officer approves the answer. The
// Python side (tests/test_supplier_portal_http.py) makes the request and checks the records.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const line = ".o_rcep_request_line[data-product='BRASS-BAR']";

tours.add("rcep_origin_supplier_answers", {
    steps: () => [
        {
            content: "The request lists the product with our code, the vendor's code and the HS code",
            trigger: `${line}:contains('Your item code: HPB-40'):contains('HS code: 7407.21')`,
        },
        {
            content: "It is originating",
            trigger: `${line} input[name='originating'][value='yes']`,
            run: "click",
        },
        {
            content: "In Viet Nam",
            trigger: `${line} select[name='country']`,
            run: "select VN",
        },
        {
            content: "By product-specific rule: produced entirely from originating materials",
            trigger: `${line} select[name='criterion']`,
            run: "select PE",
        },
        {
            content: "Signed by",
            trigger: `${line} input[name='signatory_name']`,
            run: "edit Nguyen Thi Lan",
        },
        {
            content: "Position",
            trigger: `${line} input[name='signatory_position']`,
            run: "edit Export manager",
        },
        {
            content: "The signed declaration, as a PDF",
            trigger: `${line} input[name='document']`,
            run() {
                const pdf = new File(["%PDF-1.4\n%%EOF\n"], "declaration.pdf", {
                    type: "application/pdf",
                });
                const files = new DataTransfer();
                files.items.add(pdf);
                this.anchor.files = files.files;
            },
        },
        {
            content: "Submit",
            trigger: `${line} button.o_rcep_submit`,
            run: "click",
        },
        {
            content: "Received, to review",
            trigger: `${line} .o_rcep_line_state:contains('To review')`,
        },
        {
            content: "Thanked",
            trigger: ".alert-success:contains('Thank you')",
        },
    ],
});

tours.add("rcep_origin_officer_approves", {
    steps: () => [
        {
            content: "The vendor's answer is to review, signed and with its document",
            trigger: ".o_form_view:contains('Nguyen Thi Lan'):contains('PDF, to check')",
        },
        {
            content: "Approve it",
            trigger: ".o_form_statusbar button[name='action_rcep_approve']",
            run: "click",
        },
        {
            content: "It is valid",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Valid')",
        },
    ],
});
