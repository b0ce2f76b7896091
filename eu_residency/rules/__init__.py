"""The rules: one module per rule in residency/, encryption/, retention/; found by the registry, run by the engine."""
