/** @odoo-module **/
// The buyer, not logged in, opens the verification address printed under the QR code of the
// certificate summary (tests/test_buyer_verification.py takes it from the rendered summary),
// reads the certificate number and downloads the signed XML.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rcep_origin_buyer_verifies_certificate", {
    steps: () => [
        {
            content: "The page says the certificate was issued and its signature verified",
            trigger: ".o_rcep_verified:contains('signature verified')",
        },
        {
            content: "The certificate number is shown",
            trigger: ".o_rcep_certificate_number:not(:empty)",
        },
        {
            content: "Download the signed XML: it is the certificate with that number, signed",
            trigger: "a.o_rcep_download_xml",
            run: async () => {
                const link = document.querySelector("a.o_rcep_download_xml");
                const number = document
                    .querySelector(".o_rcep_certificate_number")
                    .textContent.trim();
                const response = await fetch(link.href);
                const xml = await response.text();
                const disposition = response.headers.get("Content-Disposition") || "";
                if (
                    !response.ok ||
                    !disposition.includes(link.getAttribute("download")) ||
                    !xml.includes(`CertificateNumber>${number}</`) ||
                    !xml.includes("SignatureValue")
                ) {
                    throw new Error(`The download is not the signed certificate ${number}`);
                }
                document.body.dataset.rcepDownloaded = number;
            },
        },
        {
            content: "The signed XML was downloaded",
            trigger: "body[data-rcep-downloaded]",
        },
    ],
});

// The RCEP manager withdraws the buyer's link of a certificate (e.g. sent to the wrong
// address), then makes a new one; the chatter says both.
registry.category("web_tour.tours").add("rcep_origin_manager_revokes_verification_link", {
    steps: () => [
        {
            content: "The declaration shows its verification page",
            trigger: "div[name='verification_url'] a[href*='/rcep/verify/']",
        },
        {
            content: "Revoke the verification link",
            trigger: ".o_form_statusbar button[name='action_rcep_revoke_verification']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The link is revoked, and the chatter says so",
            trigger: ".o-mail-Message:contains('verification link revoked')",
        },
        {
            content: "Make a new link",
            trigger: ".o_form_statusbar button[name='action_rcep_new_verification']",
            run: "click",
        },
        {
            content: "The new link is shown, and the chatter says so",
            trigger: ".o-mail-Message:contains('New buyer verification link made')",
        },
        {
            content: "The declaration shows the new verification page",
            trigger: "div[name='verification_url'] a[href*='/rcep/verify/']",
        },
    ],
});
