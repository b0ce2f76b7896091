"""The one error of the template loader."""

from __future__ import annotations


class TemplateError(ValueError):
    """A file that is not a CloudFormation template; the message is one line for the person."""
