from . import rcep_origin_evaluate_wizard
