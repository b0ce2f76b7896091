"""The review pack for security: the data of a cloud assembly, as HTML, Markdown, SARIF and JSON."""
