"""How big a generated world is and how it changes from month to month: the named scales, the volumes
per organisation, the shares that change between deliveries, the date of the first delivery."""

from __future__ import annotations

import datetime as dt

# -- scales ----------------------------------------------------------------------------------------
#: named scales: (cooperatives, associations)
SCALES: dict[str, tuple[int, int]] = {
    "sample": (400, 500),  # the size of the contract's samples (about 900 organisations)
    "region": (6200, 24000),  # Fès-Meknès: about 6,200 cooperatives and 24,000 associations
    "nation": (65000, 265000),  # Morocco: about 65,000 cooperatives, 330,000 organisations in all
}
COOP_SHARE = 6200 / 30200
#: other volumes per organisation, from the samples (92 Mouazara projects, 151 INDH projects,
#: 303 chamber members and 31 sessions for about 900 organisations)
PER_ORGANISATION = {"mouazara": 0.100, "indh": 0.165, "adherents": 0.335, "sessions": 0.034, "gie": 0.004}
MEAN_SESSION_PARTICIPANTS = 24
#: what changes from one monthly delivery to the next
MONTHLY_GROWTH = {"orgs": 0.005, "mouazara": 0.01, "indh": 0.01, "adherents": 0.005, "sessions": 0.03}
STATUS_CHANGE_SHARE = 0.06  # of organisations change status once within a year of deliveries
#: month-to-month history, as a share of what is there the month before (docs/history.md)
STRUCK_OFF_SHARE = 0.02  # of the register's organisations are absent from the next snapshot
RETURN_SHARE = 0.3  # of the struck-off ones come back one or two months later
RENAME_SHARE = 0.005
MEMBERS_CHANGE_SHARE = 0.02
PROJECT_DROP_SHARE = 0.01  # Mouazara projects absent from the next snapshot
AMOUNT_CUT_SHARE = 0.015  # projects whose committed amount goes down

BASE_DATE = dt.date(2026, 10, 31)  # the register and Mouazara snapshots of delivery 0
FIXED_ZIP_TIME = (2026, 10, 31, 8, 0, 0)


def resolve_scale(scale: float | int | str) -> tuple[str, int, int]:
    """(label, cooperatives, associations) of a scale: a name or a number of organisations."""
    if isinstance(scale, str):
        key = scale.strip().lower()
        if key in SCALES:
            coops, assocs = SCALES[key]
            return key, coops, assocs
        try:
            scale = float(key.replace("_", "").replace(",", ""))
        except ValueError:
            raise ValueError(
                f"unknown scale {scale!r}: a number of organisations or one of {', '.join(SCALES)}"
            ) from None
    total = int(round(float(scale)))
    if total < 100:
        raise ValueError("a scale needs at least 100 organisations")
    coops = int(round(total * COOP_SHARE))
    return str(total), coops, total - coops


MAX_DELIVERY = 12  # months after the first delivery a world holds
