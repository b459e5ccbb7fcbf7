"""`python -m orchestration.bench.run`: `tadamon bench` by its module."""

from orchestration.bench.run.harness import main

raise SystemExit(main())
