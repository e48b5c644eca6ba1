"""`make bench`: start dlquiz as production runs it, measure it, print the figures, write
bench/results.json. Every process it starts is stopped when it ends, however it ends."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.main import main

    sys.exit(main())
