"""Who may do what with a DLU — composed from the one policy (`dui.comptes.policy`).

- Read the DLU screen: "usager.soins.read". The DLU is the care team's emergency summary
  (HAS: available 24 h/24 to the team on duty), so it is care data, not medical data, even
  though it carries pathologies and treatments once a physician or nurse validated it.
- Edit the draft: "usager.soins.write" (the IDE, aides-soignants prepare it).
- Validate (freeze) a version: "usager.medical.write" (médecin, infirmier/IDEC): the HAS
  makes the médecin traitant / coordonnateur responsible for its content, with the nurse
  who manages it. Pre-filling the antécédents also needs "usager.medical.read": a draft
  started by a soignant carries no medical history it could not read itself.
- Print the DLU or the fiche de transfert (a document with medical data that leaves the
  établissement with the person): the policy's "dlu.print" — a health professional
  ("professionnel de santé" role) who reads soins data of the person in that role. That
  is the night aide-soignant or nurse who calls the SAMU and hands the sheet over; it
  excludes direction, chef de service and home-care workers without health role, who have
  no reason to carry medical data out.
"""

from __future__ import annotations

from typing import Any

from dui.comptes import policy


def may_read(user: Any, usager: Any) -> bool:
    return policy.allows(user, "usager.soins.read", usager)


def may_edit(user: Any, usager: Any) -> bool:
    return policy.allows(user, "usager.soins.write", usager) and usager.archive_le is None


def may_validate(user: Any, usager: Any) -> bool:
    return policy.allows(user, "usager.medical.write", usager) and usager.archive_le is None


def may_read_medical(user: Any, usager: Any) -> bool:
    return policy.allows(user, "usager.medical.read", usager)


def may_print(user: Any, usager: Any) -> bool:
    return policy.allows(user, "dlu.print", usager)
