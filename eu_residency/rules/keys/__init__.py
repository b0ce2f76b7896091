"""Key-control rules (EU-KEY-nnn): who controls the keys that encrypt user data.

They run only with the setting ``eu-residency:key-control: customer-managed`` (``--key-control`` on the
command): encrypted with any key is the EU-ENC rules' promise; a customer-managed key that rotates is a
posture a team chooses.
"""
