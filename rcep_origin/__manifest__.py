{
    "name": "RCEP Origin",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "summary": "RCEP rules-of-origin pre-review: origin data on products, BOMs and supplier "
    "declarations, and explained origin evaluations",
    "description": "Checks whether goods qualify as originating under RCEP (Chapter 3, Annex 3A) "
    "with the rcep_rules engine, and says why not.",
    "author": "RCEP origin pre-review",
    "license": "LGPL-3",
    "depends": ["sale_management", "mrp", "stock_delivery"],
    "external_dependencies": {"python": ["rcep-origin", "lxml", "zeep", "signxml"]},
    "data": [
        "security/rcep_origin_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/rcep_origin_evaluation_views.xml",
        "views/rcep_origin_supplier_declaration_views.xml",
        "views/rcep_origin_psr_views.xml",
        "views/rcep_origin_process_views.xml",
        "views/product_template_views.xml",
        "views/mrp_bom_views.xml",
        "wizard/rcep_origin_evaluate_wizard_views.xml",
        "views/rcep_origin_menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
