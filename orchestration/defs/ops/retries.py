"""Retry transient failures (the warehouse unreachable, a lock timeout) with backoff; never bad data."""

import contextlib

import dagster as dg
import psycopg2
import sqlalchemy.exc

from orchestration.warehouse import WarehouseError

MAX_RETRIES = 3
BASE_DELAY_S = 2

TRANSIENT_ERRORS = (psycopg2.OperationalError, sqlalchemy.exc.OperationalError, WarehouseError, ConnectionError)


@contextlib.contextmanager
def retry_when_transient(context: dg.OpExecutionContext):
    """Wrap a step's work: a transient error asks Dagster to retry the step after 2, 4, 8 seconds."""
    try:
        yield
    except TRANSIENT_ERRORS as exc:
        delay = BASE_DELAY_S * (2**context.retry_number)
        context.log.warning(f"transient failure ({type(exc).__name__}: {exc}); retry in {delay}s")
        raise dg.RetryRequested(max_retries=MAX_RETRIES, seconds_to_wait=delay) from exc
