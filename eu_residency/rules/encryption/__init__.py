"""Encryption rules (EU-ENC-nnn): at rest and in transit."""
