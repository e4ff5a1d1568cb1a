"""Links to many objects of one page at the cost of one `reverse`.

A list page links each of its rows (a round's 60 persons, a page's 30 transmissions and
their actions); `reverse` per link was a tenth of such pages' time (bench/round_bench.py,
bench/transmissions_bench.py). `lien(name, n)` reverses once with sentinel arguments and
returns a function that puts the real ones in their place.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# Integers no URL of ours holds otherwise; each must appear exactly once in the reversed URL.
_SENTINELLES = (987654321, 876543210, 765432109)


def lien(name: str, arguments: int = 1) -> Callable[..., str]:
    """`f(*args)` equal to `reverse(name, args=args)` for integer arguments."""
    sentinelles = _SENTINELLES[:arguments]
    parts = [reverse(name, args=sentinelles)]
    for s in sentinelles:
        head, tail = parts.pop().split(str(s), 1)
        parts += [head, tail]

    def build(*args: int) -> str:
        if len(args) != arguments:
            raise TypeError(f"{name} attend {arguments} argument(s)")
        out = [parts[0]]
        for value, part in zip(args, parts[1:], strict=True):
            out += [str(int(value)), part]
        return "".join(out)

    return build
