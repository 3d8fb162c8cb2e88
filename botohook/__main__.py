"""``python -m botohook serve ...``: the same as the ``botohook`` command."""

import sys

from .cli import main

sys.exit(main())
