"""Views of the person's record: identite. (to be written)"""

from __future__ import annotations

urlpatterns: list = []
