"""`python -m governance`: the `governance` command."""

import sys

from governance.cli import main

sys.exit(main())
