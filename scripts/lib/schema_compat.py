"""Finds the changes between two provider schemas that break users.

Both schemas are what `terraform providers schema -json` prints (schemas/mlcloud.json
and the baseline of the last release, schemas/baseline/mlcloud.json). A change breaks
users when a configuration or a state that worked with the baseline stops working:

- something removed: a resource, data source, ephemeral resource, list resource,
  action, function, identity attribute, attribute or block;
- a type changed (an attribute's type, nested attributes' nesting mode, a block's
  nesting mode, a function's parameter or return type);
- something tightened: optional -> required, a new required attribute, a configurable
  attribute made computed-only, a block's min_items raised or max_items lowered, a
  function given more parameters or losing its variadic one;
- computed -> not computed (state and references that relied on the provider filling
  it in).

One exception: a managed resource may change its schema together with a schema version
bump, when a test proves that state of the baseline's version upgrades. The proof is a
Rust test function named `<type without mlcloud_>_upgrades_state_from_v<baseline
version>` (e.g. `cluster_upgrades_state_from_v1`) somewhere in the repository, marked
`#[test]`/`#[tokio::test]` or run by a `scenarios_on_*terraform*!` macro. A resource
identity works the same way with its identity version and
`<type>_upgrades_identity_from_v<N>`.

Only the standard library: the script runs before the venv is needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

PROVIDER_ADDRESS = "registry.terraform.io/mlcloud/mlcloud"

# Schema kinds that carry a configuration block: (key in the JSON, what users call it).
BLOCK_KINDS = [
    ("resource_schemas", "resource"),
    ("data_source_schemas", "data source"),
    ("ephemeral_resource_schemas", "ephemeral resource"),
    ("list_resource_schemas", "list resource"),
    ("action_schemas", "action"),
]

DEPRECATE_FIRST = (
    "keep it (mark it deprecated in its description and remove it only in a major "
    "release, refreshing schemas/baseline with scripts/schema-compat --update-baseline "
    "in that release's commit)"
)


@dataclass(frozen=True)
class Breaking:
    """One breaking change: where, what happened, and what to do about it."""

    path: str
    change: str
    remedy: str

    def __str__(self) -> str:
        return f"{self.path}: {self.change}. To fix: {self.remedy}."


class SchemaError(Exception):
    """A schema file that is not what `terraform providers schema -json` prints."""


def provider_schema(document: dict, source: str) -> dict:
    try:
        return document["provider_schemas"][PROVIDER_ADDRESS]
    except (KeyError, TypeError):
        raise SchemaError(
            f"{source} has no provider_schemas[{PROVIDER_ADDRESS!r}]: is it the output "
            "of `terraform providers schema -json` (scripts/gen-docs writes it)?"
        ) from None


def load(path: Path) -> dict:
    try:
        return provider_schema(json.loads(path.read_text()), str(path))
    except FileNotFoundError:
        raise SchemaError(f"{path} does not exist") from None
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path} is not JSON: {e}") from None


def upgrade_test_name(type_name: str, what: str, version: int) -> str:
    short = type_name.removeprefix("mlcloud_")
    return f"{short}_upgrades_{what}_from_v{version}"


_TEST_ATTRIBUTE = re.compile(r"#\[\s*(?:tokio::)?test\b")
_SCENARIOS = re.compile(r"scenarios_on_\w*terraform\w*!\s*\(([^)]*)\)", re.S)


def _marked_as_test(lines: list[str], fn_line: int) -> bool:
    """Whether the attributes right above a function (doc comments may sit among
    them) include #[test] or #[tokio::test]."""
    i = fn_line - 1
    while i >= 0:
        above = lines[i].strip()
        if _TEST_ATTRIBUTE.match(above):
            return True
        if not (above.startswith("#[") or above.startswith("//")):
            return False
        i -= 1
    return False


def rust_tests(root: Path) -> set[str]:
    """Names of the test functions in the repository's Rust sources (target/ excluded)."""
    names: set[str] = set()
    for path in root.rglob("*.rs"):
        if "target" in path.relative_to(root).parts:
            continue
        text = path.read_text(errors="replace")
        lines = text.splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)", line)
            if m and _marked_as_test(lines, i):
                names.add(m.group(1))
        for m in _SCENARIOS.finditer(text):
            names.update(re.findall(r"\b\w+\b", m.group(1)))
    return names


def _flags(attribute: dict) -> str:
    if attribute.get("required"):
        return "required"
    if attribute.get("optional") and attribute.get("computed"):
        return "optional and computed"
    if attribute.get("optional"):
        return "optional"
    if attribute.get("computed"):
        return "computed"
    return "neither optional, required nor computed"


def _type_of(attribute: dict) -> object:
    """The attribute's type in a comparable form: its cty type, or its nested
    attributes' nesting mode (their own types are compared one by one)."""
    if "nested_type" in attribute:
        return {"nested attributes": attribute["nested_type"].get("nesting_mode")}
    return attribute.get("type")


def _compare_attributes(path: str, old: dict, new: dict, out: list[Breaking], remedy: Callable[[str], str]):
    for name, before in sorted(old.items()):
        where = f"{path}.{name}" if path else name
        after = new.get(name)
        if after is None:
            out.append(Breaking(where, "attribute removed", remedy(DEPRECATE_FIRST)))
            continue
        if _type_of(before) != _type_of(after):
            out.append(
                Breaking(
                    where,
                    f"type changed from {json.dumps(_type_of(before))} to {json.dumps(_type_of(after))}",
                    remedy("keep the type, or add an attribute with the new type next to it"),
                )
            )
        elif "nested_type" in before:
            _compare_attributes(
                where, before["nested_type"].get("attributes", {}), after["nested_type"].get("attributes", {}), out, remedy
            )
        if after.get("required") and not before.get("required"):
            out.append(
                Breaking(
                    where,
                    f"{_flags(before)} -> required",
                    remedy("keep it optional (with a default, or a plan-time check where a value is needed)"),
                )
            )
        if before.get("computed") and not after.get("computed"):
            out.append(
                Breaking(
                    where,
                    f"computed -> not computed ({_flags(after)})",
                    remedy("keep it computed: states and references rely on the provider setting it"),
                )
            )
        configurable = before.get("optional") or before.get("required")
        if configurable and not (after.get("optional") or after.get("required")):
            out.append(
                Breaking(
                    where,
                    f"{_flags(before)} -> {_flags(after)}: configurations that set it fail",
                    remedy("keep it configurable"),
                )
            )
    for name, after in sorted(new.items()):
        if name not in old and after.get("required"):
            where = f"{path}.{name}" if path else name
            out.append(
                Breaking(
                    where,
                    "new required attribute: configurations written for the baseline lack it",
                    remedy("make it optional"),
                )
            )


def _compare_block(path: str, old: dict, new: dict, out: list[Breaking], remedy: Callable[[str], str]):
    _compare_attributes(path, old.get("attributes", {}), new.get("attributes", {}), out, remedy)
    old_blocks, new_blocks = old.get("block_types", {}), new.get("block_types", {})
    for name, before in sorted(old_blocks.items()):
        where = f"{path}.{name}" if path else name
        after = new_blocks.get(name)
        if after is None:
            out.append(Breaking(where, "block removed", remedy(DEPRECATE_FIRST)))
            continue
        if before.get("nesting_mode") != after.get("nesting_mode"):
            out.append(
                Breaking(
                    where,
                    f"block nesting mode changed from {before.get('nesting_mode')} to {after.get('nesting_mode')}",
                    remedy("keep the nesting mode"),
                )
            )
        if after.get("min_items", 0) > before.get("min_items", 0):
            out.append(
                Breaking(
                    where,
                    f"block min_items raised from {before.get('min_items', 0)} to {after['min_items']}",
                    remedy("keep the block optional"),
                )
            )
        if after.get("max_items", 0) and after["max_items"] < (before.get("max_items") or float("inf")):
            out.append(
                Breaking(
                    where,
                    f"block max_items lowered from {before.get('max_items') or 'unlimited'} to {after['max_items']}",
                    remedy("keep the limit"),
                )
            )
        _compare_block(where, before.get("block", {}), after.get("block", {}), out, remedy)
    for name, after in sorted(new_blocks.items()):
        if name not in old_blocks and after.get("min_items", 0) > 0:
            where = f"{path}.{name}" if path else name
            out.append(
                Breaking(where, "new required block: configurations written for the baseline lack it", remedy("make it optional"))
            )


def _plain(text: str) -> str:
    return text


def _compare_functions(old: dict, new: dict, out: list[Breaking]):
    for name, before in sorted(old.items()):
        where = f"function {name}"
        after = new.get(name)
        if after is None:
            out.append(Breaking(where, "function removed", DEPRECATE_FIRST))
            continue
        old_params, new_params = before.get("parameters", []), after.get("parameters", [])
        for i, param in enumerate(old_params):
            if i >= len(new_params):
                out.append(
                    Breaking(f"{where} parameter {i + 1} ({param.get('name')})", "parameter removed", "keep the signature")
                )
            elif param.get("type") != new_params[i].get("type"):
                out.append(
                    Breaking(
                        f"{where} parameter {i + 1} ({param.get('name')})",
                        f"type changed from {json.dumps(param.get('type'))} to {json.dumps(new_params[i].get('type'))}",
                        "keep the type, or add a function with the new signature",
                    )
                )
        if len(new_params) > len(old_params):
            out.append(
                Breaking(
                    where,
                    f"{len(new_params) - len(old_params)} parameter(s) added: calls written for the baseline lack them",
                    "add a new function instead, or make the new ones part of a variadic parameter",
                )
            )
        old_var, new_var = before.get("variadic_parameter"), after.get("variadic_parameter")
        if old_var and not new_var:
            out.append(Breaking(where, "variadic parameter removed", "keep it"))
        elif old_var and new_var and old_var.get("type") != new_var.get("type"):
            out.append(
                Breaking(
                    where,
                    f"variadic parameter type changed from {json.dumps(old_var.get('type'))} to {json.dumps(new_var.get('type'))}",
                    "keep the type",
                )
            )
        if before.get("return_type") != after.get("return_type"):
            out.append(
                Breaking(
                    where,
                    f"return type changed from {json.dumps(before.get('return_type'))} to {json.dumps(after.get('return_type'))}",
                    "keep the return type, or add a function with the new one",
                )
            )


def _version_bump_remedy(type_name: str, what: str, old_version: int) -> Callable[[str], str]:
    test = upgrade_test_name(type_name, what, old_version)
    version_word = "schema version" if what == "state" else "identity version"

    def remedy(keep: str) -> str:
        return (
            f"{keep}; or, if the change is deliberate, raise the {version_word} of {type_name} above "
            f"{old_version}, upgrade {what} of version {old_version} in the resource, and add a test "
            f"`{test}` that proves it"
        )

    return remedy


def _compare_identities(old: dict, new: dict, resources: dict, known_tests: Callable[[], set[str]], out: list[Breaking]):
    for type_name, before in sorted(old.items()):
        after = new.get(type_name)
        if after is None:
            # A removed resource is reported once, as a resource; an identity gone from
            # a resource that stays breaks import by identity.
            if type_name in resources:
                out.append(Breaking(f"resource identity {type_name}", "identity removed", DEPRECATE_FIRST))
            continue
        old_version, new_version = before.get("version", 0), after.get("version", 0)
        found: list[Breaking] = []
        remedy = _version_bump_remedy(type_name, "identity", old_version)
        _compare_attributes(
            f"resource identity {type_name}", before.get("attributes", {}), after.get("attributes", {}), found, remedy
        )
        if found and new_version > old_version and upgrade_test_name(type_name, "identity", old_version) in known_tests():
            continue
        out.extend(found)


def breaking_changes(baseline: dict, current: dict, tests: Iterable[str] | Callable[[], Iterable[str]]) -> list[Breaking]:
    """Every breaking change from `baseline` to `current` (both provider schemas, the
    value under provider_schemas[address]). `tests` names the repository's test
    functions, or is a callable giving them (only called when a resource's version rose)."""
    out: list[Breaking] = []
    test_names: set[str] | None = None

    def known_tests() -> set[str]:
        nonlocal test_names
        if test_names is None:
            test_names = set(tests() if callable(tests) else tests)
        return test_names

    _compare_block(
        "provider",
        baseline.get("provider", {}).get("block", {}),
        current.get("provider", {}).get("block", {}),
        out,
        _plain,
    )
    for key, kind in BLOCK_KINDS:
        old_all, new_all = baseline.get(key, {}), current.get(key, {})
        for type_name, before in sorted(old_all.items()):
            where = f"{kind} {type_name}"
            after = new_all.get(type_name)
            if after is None:
                out.append(Breaking(where, f"{kind} removed", DEPRECATE_FIRST))
                continue
            if key != "resource_schemas":
                _compare_block(where, before.get("block", {}), after.get("block", {}), out, _plain)
                continue
            old_version, new_version = before.get("version", 0), after.get("version", 0)
            if new_version < old_version:
                out.append(
                    Breaking(
                        where,
                        f"schema version lowered from {old_version} to {new_version}",
                        "versions only go up: states written by the baseline would be refused as newer",
                    )
                )
            found: list[Breaking] = []
            _compare_block(
                where, before.get("block", {}), after.get("block", {}), found, _version_bump_remedy(type_name, "state", old_version)
            )
            if found and new_version > old_version and upgrade_test_name(type_name, "state", old_version) in known_tests():
                continue
            out.extend(found)
    _compare_identities(
        baseline.get("resource_identity_schemas", {}),
        current.get("resource_identity_schemas", {}),
        current.get("resource_schemas", {}),
        known_tests,
        out,
    )
    _compare_functions(baseline.get("functions", {}), current.get("functions", {}), out)
    return out
