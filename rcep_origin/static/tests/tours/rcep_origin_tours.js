/** @odoo-module **/
// The daily flow in a real browser, as the people who use it click through it. The Python
// side (tests/test_tours.py) builds the world and runs the job between the steps, as the
// scheduler would right after a confirmation.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// The salesman: a quotation to Viet Nam is checked before it is confirmed; the check says the
// vessel is missing; he fills it in (Other Info) and confirms.
tours.add("rcep_origin_salesman_check_and_confirm", {
    steps: () => [
        {
            content: "Check RCEP origin before confirming",
            trigger: "button[name='action_rcep_check']",
            run: "click",
        },
        {
            content: "The check says the goods qualify and what the declaration lacks",
            trigger: ".modal:contains('Vessel or flight'):contains('Other Info')",
        },
        {
            content: "Close the findings",
            trigger: ".modal .modal-footer button",
            run: "click",
        },
        {
            content: "Open Other Info",
            trigger: ".o_notebook a.nav-link:contains('Other Info')",
            run: "click",
        },
        {
            content: "Fill in the vessel",
            trigger: "div[name='rcep_vessel_or_flight'] input",
            run: "edit KOTA LARIS V.612S",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Sales Order')",
        },
    ],
});

// The salesman again, once the job has run: the certificate is issued and goes to the buyer.
tours.add("rcep_origin_salesman_send_certificate", {
    steps: () => [
        {
            content: "The order's RCEP certificate smart button",
            trigger: "button[name='action_rcep_declarations']",
            run: "click",
        },
        {
            content: "The declaration is issued",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Issued')",
        },
        {
            content: "Send it to the customer",
            trigger: ".o_form_statusbar button[name='action_send_to_customer']",
            run: "click",
        },
        {
            content: "The mail to the customer names the certificate",
            trigger: ".modal .o_mail_composer_form:contains('RCEP certificate of origin')",
        },
        {
            content: "Send",
            trigger: ".modal .btn.o_mail_send",
            run: "click",
        },
        {
            content: "The mail is in the chatter",
            trigger: ".o-mail-Message:contains('RCEP certificate of origin')",
        },
    ],
});

// The compliance officer: a declaration is stuck on a missing customs registration code; she
// sets it in the Settings and rebuilds the declaration.
tours.add("rcep_origin_officer_rebuild", {
    steps: () => [
        {
            content: "The banner says what the declaration lacks, and where to fix it",
            trigger: ".o_form_sheet .alert:contains('Customs registration code')",
        },
        {
            content: "Open the Settings",
            trigger: "body",
            run: () => {
                window.location.href = "/odoo/action-base.res_config_setting_act_window";
            },
        },
        {
            content: "Open the Sales settings",
            trigger: ".settings_tab .tab[data-key='sale_management']",
            run: "click",
        },
        {
            content: "Set the customs registration code",
            trigger: "div[name='rcep_customs_code'] input",
            run: "edit 3302961A27",
        },
        {
            content: "Save the Settings (they reload the page)",
            trigger: ".o_form_button_save",
            run: (helpers) => {
                document.body.dataset.rcepBeforeSave = "1"; // gone once the page is reloaded
                helpers.click();
            },
        },
        {
            content: "The Settings are saved and shown again",
            trigger: "body:not([data-rcep-before-save]) div[name='rcep_customs_code'] input:value(3302961A27)",
        },
        {
            content: "Back to the declarations: Sales › RCEP Origin › Certificate declarations",
            trigger: "body",
            run: () => {
                window.location.href = "/odoo/action-rcep_origin.rcep_origin_declaration_action";
            },
        },
        {
            content: "Open the stuck declaration",
            trigger: ".o_data_row td:contains('Draft')",
            run: "click",
        },
        {
            content: "Rebuild it",
            trigger: ".o_form_statusbar button[name='action_rcep_rebuild']",
            run: "click",
        },
        {
            content: "It is queued for the Single Window",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('To submit')",
        },
    ],
});
