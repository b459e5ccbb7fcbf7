"""Alerts for the nightly load nobody watches: always a line in data/logs/alerts.log, and a POST to
TADAMON_ALERT_WEBHOOK when it is set."""

from __future__ import annotations

import datetime as dt
import json
import logging

import requests

from orchestration.settings import Settings

log = logging.getLogger(__name__)


def alert(settings: Settings, title: str, details: str, where_to_look: str) -> None:
    """Deliver an alert by every channel that works: one failing (a read-only or full data folder,
    the webhook down) never stops the others, nor hides the failure being reported."""
    message = f"Tadamon: {title}\n{details}\nWhere to look: {where_to_look}"
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        settings.logs_dir.mkdir(parents=True, exist_ok=True)
        with open(settings.logs_dir / "alerts.log", "a", encoding="utf-8") as handle:
            handle.write(
                json.dumps(
                    {"at": stamp, "title": title, "details": details, "where": where_to_look}, ensure_ascii=False
                )
                + "\n"
            )
    except OSError as exc:
        log.error("%s (alerts.log could not be written: %s)", message, exc)
    if settings.alert_webhook:
        try:
            response = requests.post(settings.alert_webhook, json={"text": message}, timeout=10)
            response.raise_for_status()
        except requests.RequestException as exc:
            # the log line above is kept; the webhook's failure must not hide the original one
            log.error("alert webhook failed: %s", exc)
