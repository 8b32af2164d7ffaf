"""Every environment variable Rostra reads is listed in one place and documented."""

import re
from pathlib import Path

from rostra.core.config import ENV_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
NAME = r"""["']((?:ROSTRA_|DATABASE_)\w+)"""
READS = (r"env(?:_bool|_int)?\(\s*" + NAME, r"environ(?:\.get)?[\[(]\s*" + NAME)


def _read_names() -> set[str]:
    names = set()
    for path in (ROOT / "rostra").rglob("*.py"):
        text = path.read_text()
        for pattern in READS:
            names |= set(re.findall(pattern, text))
    return names


def test_every_variable_read_is_listed():
    assert _read_names() - set(ENV_SETTINGS) == set()


def test_every_listed_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in ENV_SETTINGS if f"| `{name}` |" not in readme]
    assert missing == []
