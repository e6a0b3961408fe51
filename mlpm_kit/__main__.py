"""`python -m mlpm_kit` is the `mlpm` command."""

import sys

from mlpm_kit.cli import main

sys.exit(main())
