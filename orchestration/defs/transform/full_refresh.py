"""When the night's dbt build rebuilds in full instead of extending the incremental models
(dbt_project/macros/incremental_history.sql): when asked (`tadamon run --rebuild`), and when the
project's code is not the one of the last publication. Incremental tables hold rows staged by the
SQL of the night that added them: after a change of that SQL every load is staged again, by the new
code, rather than old loads kept as older code made them."""

from orchestration.fingerprint import project_fingerprint
from orchestration.warehouse.publish import last_publication


def full_refresh_reason(url: str, asked: bool) -> str | None:
    """Why the build must rebuild every model from every load, or None when it may extend them."""
    if asked:
        return "asked (--rebuild)"
    last = last_publication(url)
    if last is None:
        return "no publication yet"
    if last.project_fingerprint != project_fingerprint():
        return "the models or checks changed since the last publication"
    return None
