"""Messages for people: the first line of an error is what a summary, a warning or a report shows
(the rest, a driver's context or a traceback, is in the log)."""

from __future__ import annotations


def first_line(message: object) -> str:
    """The first line of `message` (an exception or a text), stripped; '' when it has none."""
    text = str(message).strip()
    return text.splitlines()[0].strip() if text else ""
