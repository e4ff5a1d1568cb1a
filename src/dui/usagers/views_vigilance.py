"""Views of the person's record: vigilance. (to be written)"""

from __future__ import annotations

urlpatterns: list = []
