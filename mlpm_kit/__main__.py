"""`python -m mlpm_kit` is the `mlpm` command."""

import sys

from .cli import main

sys.exit(main())
