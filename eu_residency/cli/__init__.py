"""The ``eu-residency`` command: the rule core over any CloudFormation template, and review packs."""
