"""The quality suites as the project keeps them, shared by `ingest` and `quality` (it imports neither):

- `model`: the one `Suite` type and its `Rule`s, with the severities;
- `stored`: the suites read back from expectations/gx/ (JSON, no GX import, no connection);
- `findings`: the French warning findings on the rows of one loaded file, for its receipt (the
  loader runs them; `quality` writes and runs the suites).
"""
