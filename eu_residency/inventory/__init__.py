"""The data-store inventory of an app: where each store is, how it is encrypted, and where its data flows."""
