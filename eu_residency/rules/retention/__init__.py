"""Retention rules (EU-RET-nnn): data is kept only as long as needed."""
