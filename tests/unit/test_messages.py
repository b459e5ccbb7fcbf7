"""The first line of an error: what the summary, the warnings and the bench show of it."""

import pytest

from orchestration.messages import first_line


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ('  relation "marts.x" does not exist\nLINE 1: select * from marts.x\n', 'relation "marts.x" does not exist'),
        (
            ValueError("server closed the connection unexpectedly\n\tThis probably means..."),
            "server closed the connection unexpectedly",
        ),
        ("\n\n  only the second line has words  \n", "only the second line has words"),
        ("", ""),
        (ValueError(), ""),
        (None, "None"),
    ],
)
def test_the_first_line_of_a_message(message, shown):
    assert first_line(message) == shown
