"""`python -m orchestration.bench.generate --scale region --out DIR --seed 42 [--delivery 1]`."""

from orchestration.bench.generate.cli import main

raise SystemExit(main())
