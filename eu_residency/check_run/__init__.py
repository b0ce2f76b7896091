"""A check run: the templates found, checked together as one app, and the acknowledgements applied."""
