"""The platform's stacks, one module each, and the typed configuration they are built from."""
