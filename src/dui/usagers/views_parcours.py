"""Views of the person's record: parcours. (to be written)"""

from __future__ import annotations

urlpatterns: list = []
