"""Audit journal. `record(...)` is the only way to write to it."""


def record(**kwargs):  # type: ignore[no-untyped-def]
    from dui.audit.services import record as _record

    return _record(**kwargs)
