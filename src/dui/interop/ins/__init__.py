"""INS: the national health identity (matricule NIR/NIA, its OIDs) and the INSi teleservice."""
