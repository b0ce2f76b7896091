"""Residency rules (EU-RES-nnn): where data is stored, copied and sent."""
