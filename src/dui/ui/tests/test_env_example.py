"""`.env.example` documents every DUI_* variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
# env_str("DUI_X"), env_int("DUI_X", …), os.environ.get("DUI_X"), os.environ["DUI_X"], and the
# DMP client's f"DUI_DMP_{key}" over its ENV_KEYS.
READ = re.compile(
    r'(?:env_(?:str|bool|int|list|secret)\(\s*|environ(?:\.get\(|\[))"(DUI_[A-Z0-9_]+)"'
)


def _read_variables() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "dui").rglob("*.py"):
        if "tests" in path.parts:
            continue
        found.update(READ.findall(path.read_text(encoding="utf-8")))
    from dui.interop.dmp.client import ENV_KEYS

    found.update(f"DUI_DMP_{key}" for key in ENV_KEYS)
    return found


def test_every_variable_read_by_the_code_is_documented():
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    variables = _read_variables()
    assert len(variables) > 40  # the scan itself works
    missing = sorted(v for v in variables if not re.search(rf"\b{v}=", documented))
    assert missing == []
