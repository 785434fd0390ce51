"""``python -m connectors.cli``: the ``rcep-origin`` command."""

import sys

from connectors.cli.app import main

sys.exit(main())
