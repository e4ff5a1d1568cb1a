"""Views of the person's record: entourage. (to be written)"""

from __future__ import annotations

urlpatterns: list = []
