"""Guardrails for the EU-resident platform: secure-by-default constructs and the residency rules."""
