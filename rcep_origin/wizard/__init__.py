from . import rcep_origin_evaluate_wizard
from . import rcep_origin_sale_check
from . import rcep_origin_supplier_refuse
