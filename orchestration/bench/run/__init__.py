"""The benchmark of the warehouse (`tadamon bench`, `make bench`, `python -m orchestration.bench.run`).

In one run and one process tree, on the same generated data and the same PostgreSQL server (a
temporary embedded one, or TADAMON_BENCH_WAREHOUSE_URL), for each scale:

1. ingestion of the CSV and XLSX deliveries with the project's loader (`Lander.land_file`), against a
   plain `COPY ... FROM STDIN` of the same rows (the limit), `pandas.DataFrame.to_sql` (what a quick
   script would do) and the time it takes only to read the file (csv module, python-calamine);
2. the full load from empty, `tadamon run` in a child process, by phase (ingest, dbt, quality,
   publish) from the Dagster run's step events, wall time and peak memory of its process tree;
3. a second night with nothing new (a delivery sent again and a file of an unknown name), and a night with
   one new delivery of each provider;
4. ten typical BI queries on the marts, as the `bi_reader` role: median and 95th percentile (and those
   an aggregate answers again, summed from the facts at query time, outside the target).

The results section of BENCHMARKS.md is rewritten (the text around it is kept), with the raw numbers
as JSON so that the next run shows what regressed.

The parts: `ingestion.py` (1, against `peers.py`), `nights.py` (2 and 3), `queries.py` (4), on the
server of `server.py`; `harness.py` runs them at each scale, `targets.py` judges, `report.py` writes.
"""
