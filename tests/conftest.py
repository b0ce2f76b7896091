"""Shared fixtures: the platform is built once per test session per environment, never once per test."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from stacks.config import PlatformConfig, load_config
from stacks.platform import Platform, build_platform

REPO = Path(__file__).resolve().parent.parent
CDK_CONTEXT: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]

# Synthesis must not depend on who runs the tests.
os.environ.pop("CDK_DEFAULT_ACCOUNT", None)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def offline_environment(outdir: Path | None = None) -> dict[str, str]:
    """The environment the app and the CDK CLI run in under test: none of the runner's CDK_/AWS_ settings,
    no credentials, no telemetry, no version check; CDK_OUTDIR when given.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CDK_", "AWS_")) or key == "AWS_CA_BUNDLE"
    }
    env.update(
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CDK_DISABLE_CLI_TELEMETRY="true",
        CDK_DISABLE_VERSION_CHECK="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    if outdir is not None:
        env["CDK_OUTDIR"] = str(outdir)
    return env


def run_app(outdir: Path, *context: str) -> subprocess.CompletedProcess[str]:
    """``python app.py -c KEY=VALUE...`` into ``outdir``, as a user runs it, offline."""
    arguments = [argument for pair in context for argument in ("-c", pair)]
    return subprocess.run(
        [sys.executable, "app.py", *arguments],
        env=offline_environment(outdir),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def synthesize_platform(env_name: str, outdir: Path, *context: str) -> Path:
    """The platform of ``env_name`` (and ``context``, ``KEY=VALUE``) synthesized into ``outdir``; the test fails with
    the app's stderr."""
    result = run_app(outdir, f"env={env_name}", *context)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (outdir / "manifest.json").is_file()
    return outdir


@pytest.fixture(scope="session")
def platform_assembly(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The committed platform's cloud assembly for an environment, synthesized once per session; read it, never
    write into it (write packs to a folder of the test's own)."""
    built: dict[str, Path] = {}

    def assembly(env_name: str) -> Path:
        if env_name not in built:
            built[env_name] = synthesize_platform(env_name, tmp_path_factory.mktemp(f"platform-{env_name}"))
        return built[env_name]

    return assembly


def deep_merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def platform_context(env_name: str = "dev", **environment_overrides: Any) -> dict[str, Any]:
    """cdk.json's context for ``env_name``, with some of that environment's keys replaced."""
    context = copy.deepcopy(CDK_CONTEXT)
    context["env"] = env_name
    context["environments"][env_name] = deep_merge(context["environments"][env_name], environment_overrides)
    return context


def config_for(env_name: str = "dev", **environment_overrides: Any) -> PlatformConfig:
    context = platform_context(env_name, **environment_overrides)
    return load_config(context.get)


class BuiltPlatform:
    """A platform built in memory, with each stack's template synthesized on first use."""

    def __init__(self, env_name: str = "dev", **environment_overrides: Any) -> None:
        self.app = App(context=platform_context(env_name, **environment_overrides))
        self.config = load_config(self.app.node.try_get_context)
        self.stacks: Platform = build_platform(self.app, self.config)
        self._templates: dict[str, Template] = {}

    def template(self, stack: Stack) -> Template:
        if stack.stack_name not in self._templates:
            self._templates[stack.stack_name] = Template.from_stack(stack)
        return self._templates[stack.stack_name]

    def stack_named(self, name: str) -> Stack:
        for stack in self.stacks.stacks:
            if stack.stack_name == name:
                return stack
        raise AssertionError(f"no stack named {name} in the platform")

    def follow(self, stack: Stack, value: Any) -> tuple[str, str, dict[str, Any]]:
        """(stack name, logical id, resource) that a Ref, Fn::GetAtt or Fn::GetStackOutput points at."""
        assert isinstance(value, dict), f"expected a reference, got {value!r}"
        if "Fn::GetStackOutput" in value:
            reference = value["Fn::GetStackOutput"]
            producer = self.stack_named(reference["StackName"])
            output = self.template(producer).find_outputs(reference["OutputName"])
            assert output, f"{reference['StackName']} has no output {reference['OutputName']}"
            return self.follow(producer, output[reference["OutputName"]]["Value"])
        if "Ref" in value:
            logical_id = value["Ref"]
        elif "Fn::GetAtt" in value:
            logical_id = value["Fn::GetAtt"][0]
        else:
            raise AssertionError(f"expected a Ref, Fn::GetAtt or Fn::GetStackOutput, got {value!r}")
        found = self.template(stack).to_json()["Resources"]
        assert logical_id in found, f"{value!r} points at nothing in {stack.stack_name}"
        return stack.stack_name, logical_id, found[logical_id]


@pytest.fixture(scope="session")
def dev() -> BuiltPlatform:
    return BuiltPlatform("dev")


@pytest.fixture(scope="session")
def prod() -> BuiltPlatform:
    return BuiltPlatform("prod")


@pytest.fixture(scope="session", params=["dev", "prod"])
def each_env(request: pytest.FixtureRequest, dev: BuiltPlatform, prod: BuiltPlatform) -> Iterator[BuiltPlatform]:
    yield {"dev": dev, "prod": prod}[request.param]


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """The resources of one type, by logical id (to iterate, never to assert on hashed ids)."""
    found: dict[str, dict[str, Any]] = template.find_resources(resource_type)
    return found


def only_resource(template: Template, resource_type: str) -> dict[str, Any]:
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))
