"""Read a YAML template as CloudFormation does, and refuse what CloudFormation refuses.

- The short tags of CloudFormation (``!Ref``, ``!Sub``, ``!GetAtt``, the Rules functions, ...) become their
  ``Fn::`` form; any other tag is refused with one line that names it (a Rain directive says to run
  ``rain pkg`` first).
- Every mapping key is text, as in the JSON CloudFormation makes of the YAML: ``1:`` and ``true:`` are the
  keys ``"1"`` and ``"true"``; a key that is a list, a mapping or a function is refused.
- A key written twice in one mapping is refused with both lines (the AWS CLI and cfn-lint refuse it;
  keeping the last would hide the first).
- Aliases share one value; before anything is built, the values the aliases expand to are counted
  (``MAX_EXPANDED_VALUES``), so an alias bomb is refused in a few milliseconds and no reader after the
  loader meets one; an alias to the value that holds it is refused.
- Integers of any length are read (a longer one than Python converts is kept as its text); dates stay
  text (a policy's ``Version: 2012-10-17`` is a string to IAM).
"""

from __future__ import annotations

from typing import Any

import yaml

from eu_residency.core.vocabulary import MAX_EXPANDED_VALUES, RAIN_DIRECTIVE_PREFIX, SHORT_TAGS, function_of_tag
from eu_residency.template_loader.errors import NotATemplateError, TemplateError

# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STRING_TAG = "tag:yaml.org,2002:str"


class _TemplateLoader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """SafeLoader with CloudFormation's tags, text keys and integers of any length."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        self.flatten_mapping(node)  # merge keys (<<) first, so the mapping's own keys win
        return {key.value: self.construct_object(value, deep=deep) for key, value in node.value}


def _construct(tag: str) -> Any:
    key = function_of_tag(tag)

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    where = f"{getattr(loader, 'source', '<template>')}: line {node.start_mark.line + 1}"
    if suffix.startswith(RAIN_DIRECTIVE_PREFIX):
        raise TemplateError(f"{where}: !{suffix} is a Rain directive, not CloudFormation; run `rain pkg` first")
    raise TemplateError(
        f"{where}: !{suffix} is not a CloudFormation tag; CloudFormation reads only its own short forms "
        "(!Ref, !Sub, !GetAtt, ...): write the function in full (Fn::Name: ...)"
    )


def _integer(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    try:
        return loader.construct_yaml_int(node)
    except ValueError:  # longer than Python converts: the number as written
        return str(loader.construct_scalar(node))


for _tag in SHORT_TAGS:
    _TemplateLoader.add_constructor(f"!{_tag}", _construct(_tag))
_TemplateLoader.add_multi_constructor("!", _unknown_tag)
_TemplateLoader.add_constructor("tag:yaml.org,2002:int", _integer)
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document and the line on which each resource starts; YAML errors are the caller's to word."""
    loader = _TemplateLoader(text)
    loader.source = source  # for the errors of the tag constructors
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as error:
            if error.problem and "another document" in error.problem:  # a Kubernetes manifest, say
                raise NotATemplateError(f"{source}: several YAML documents in one file; a template is one") from None
            raise
        if node is None:
            return None, {}
        _check_values(node, source)
        document = loader.construct_document(node)
    finally:
        loader.dispose()
    return document, _resource_lines(node)


def _check_values(root: yaml.Node, source: str) -> None:
    """Refuse keys that are not text, keys written twice, aliases that hold themselves and alias bombs.

    Each node is visited once (aliases share nodes): the count of values it expands to is kept by node.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded(node: yaml.Node) -> int:
        identity = id(node)
        if identity in sizes:
            return sizes[identity]
        if identity in open_nodes:
            raise TemplateError(f"{source}: line {node.start_mark.line + 1}: an alias refers to the value holding it")
        open_nodes.add(identity)
        total = 1
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == _MERGE_TAG:
                    total += expanded(value)
                    continue
                line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode) or key.tag.startswith("!"):
                    raise TemplateError(f"{source}: line {line}: a key must be text, not a list, mapping or function")
                if key.value in first_lines:
                    raise TemplateError(
                        f"{source}: line {line}: the key {key.value!r} is written twice in one mapping "
                        f"(also at line {first_lines[key.value]}); CloudFormation refuses duplicate keys"
                    )
                first_lines[key.value] = line
                total += 1 + expanded(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += expanded(item)
        open_nodes.discard(identity)
        if total > MAX_EXPANDED_VALUES:
            raise TemplateError(
                f"{source}: line {node.start_mark.line + 1}: its aliases expand to more than "
                f"{MAX_EXPANDED_VALUES:,} values (an alias bomb?)"
            )
        sizes[identity] = total
        return total

    expanded(root)


def _resource_lines(root: yaml.Node) -> dict[str, int]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "Resources" and isinstance(value, yaml.MappingNode):
                return {str(name.value): name.start_mark.line + 1 for name, _ in value.value}
    return {}
