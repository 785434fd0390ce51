from . import models
from . import wizard


def post_init_hook(env):
    """Load the reference data from the rcep_rules package: one source of truth, shared with
    the engine (RCEP Parties on res.country, the process vocabulary, the bundled PSR rows)."""
    env["res.country"]._rcep_load_parties()
    env["rcep.origin.process"]._rcep_load_processes()
    env["rcep.origin.psr"]._rcep_load_bundled()
