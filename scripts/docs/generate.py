#!/usr/bin/env python3
"""Generates the registry-format docs under docs/ from the provider schema.

The input is `schemas/mlcloud.json`, exactly what `terraform providers schema -json`
prints for this provider (scripts/gen-docs refreshes it). Every page embeds the
runnable example module named in EXAMPLES, so docs and examples cannot drift apart.

  generate.py            write docs/
  generate.py --check    exit 1 and list the pages that differ from what is committed
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROVIDER = "registry.terraform.io/mlcloud/mlcloud"
NAME = "mlcloud"

# Which runnable example module documents each page.
EXAMPLES = {
    ("provider", NAME): "examples/provider",
    ("data-sources", "mlcloud_accelerators"): "examples/accelerators",
    ("data-sources", "mlcloud_cluster"): "examples/cluster-lookup",
    ("ephemeral-resources", "mlcloud_cluster_credentials"): "examples/cluster-credentials",
    ("functions", "machine_type"): "examples/accelerators/functions",
    ("resources", "mlcloud_kms_key"): "examples/aws-kms-key",
    ("resources", "mlcloud_identity"): "examples/aws-identity",
    ("resources", "mlcloud_cluster"): "examples/aws-cluster",
    ("resources", "mlcloud_node_pool"): "examples/aws-node-pool",
    ("resources", "mlcloud_serving_endpoint"): "examples/gcp-serving",
    ("actions", "mlcloud_smoke_test"): "examples/gcp-serving",
}


def example_hcl(kind, name):
    folder = EXAMPLES.get((kind, name))
    if folder is None:
        raise SystemExit(f"no example module listed for {kind} {name}: add one to EXAMPLES")
    path = os.path.join(ROOT, folder, "main.tf")
    with open(path, encoding="utf-8") as f:
        return folder, f.read().rstrip("\n")


def type_text(t):
    if isinstance(t, str):
        return t
    kind, arg = t[0], t[1]
    if kind in ("list", "set", "map"):
        return f"{kind}({type_text(arg)})"
    if kind == "object":
        inner = ", ".join(f"{k}: {type_text(v)}" for k, v in sorted(arg.items()))
        return f"object({{{inner}}})"
    if kind == "tuple":
        return "tuple([" + ", ".join(type_text(x) for x in arg) + "])"
    return json.dumps(t)


def one_line(text):
    return " ".join((text or "").split())


def attr_line(name, attr, anchor_prefix):
    if "nested_type" in attr:
        nesting = attr["nested_type"].get("nesting_mode", "single")
        kind = f"Attributes {nesting.capitalize()}"
        link = f" (see [below for nested schema](#{anchor_prefix}--{name}))"
    else:
        kind = type_text(attr["type"]).capitalize() if isinstance(attr["type"], str) else type_text(attr["type"])
        link = ""
    flags = []
    if attr.get("sensitive"):
        flags.append("Sensitive")
    if attr.get("write_only"):
        flags.append("Write-only")
    if attr.get("deprecated"):
        flags.append("Deprecated")
    flag_text = (", " + ", ".join(flags)) if flags else ""
    return f"- `{name}` ({kind}{flag_text}) {one_line(attr.get('description'))}{link}"


def block_sections(block, anchor_prefix, nested_out):
    """Required / Optional / Read-Only lists for one block; nested schemas go to nested_out."""
    groups = {"Required": [], "Optional": [], "Read-Only": []}
    for name, attr in sorted(block.get("attributes", {}).items()):
        group = "Required" if attr.get("required") else "Optional" if attr.get("optional") else "Read-Only"
        groups[group].append(attr_line(name, attr, anchor_prefix))
        if "nested_type" in attr:
            nested_out.append((f"{anchor_prefix}--{name}", name, {"attributes": attr["nested_type"]["attributes"]}))
    for name, bt in sorted(block.get("block_types", {}).items()):
        required = bt.get("min_items", 0) > 0
        group = "Required" if required else "Optional"
        nesting = bt.get("nesting_mode", "single")
        limits = ""
        if bt.get("max_items") == 1 or nesting == "single":
            limits = ", Max: 1"
        desc = one_line(bt["block"].get("description"))
        groups[group].append(
            f"- `{name}` (Block {nesting.capitalize()}{limits}) {desc} (see [below for nested schema](#{anchor_prefix}--{name}))"
        )
        nested_out.append((f"{anchor_prefix}--{name}", name, bt["block"]))
    out = []
    for title, lines in groups.items():
        if lines:
            out.append(f"### {title}\n\n" + "\n".join(lines))
    return out


def schema_markdown(block, anchor_root):
    nested = []
    parts = block_sections(block, anchor_root, nested)
    while nested:
        anchor, name, inner = nested.pop(0)
        more = []
        body = block_sections(inner, anchor, more)
        parts.append(f'<a id="{anchor}"></a>\n### Nested Schema for `{name}`\n\n' + "\n\n".join(
            s.replace("### ", "#### ", 1) for s in body))
        nested.extend(more)
    return "\n\n".join(parts)


def frontmatter(title, description):
    desc = "\n".join("  " + line for line in (one_line(description) or title).splitlines())
    return f'---\npage_title: "{title}"\nsubcategory: ""\ndescription: |-\n{desc}\n---\n'


def example_section(kind, name):
    folder, hcl = example_hcl(kind, name)
    return f"## Example Usage\n\nFrom [`{folder}`](../{'../' if kind != 'provider' else ''}{folder}), a runnable root module:\n\n```terraform\n{hcl}\n```\n"


def provider_page(schema):
    block = schema["provider"]["block"]
    head = frontmatter(f"{NAME} Provider", block.get("description", ""))
    folder, hcl = example_hcl("provider", NAME)
    return (
        f"{head}\n# {NAME} Provider\n\n"
        "Declares ML infrastructure on AWS, Azure and Google Cloud with one vocabulary: "
        "an ML Kubernetes cluster, GPU/TPU node pools, a model serving endpoint, KMS keys "
        "and IAM identities.\n\n"
        f"{one_line(block.get('description'))}\n\n"
        f"## Example Usage\n\nFrom [`{folder}`](../{folder}):\n\n```terraform\n{hcl}\n```\n\n"
        f"## Schema\n\n{schema_markdown(block, 'nestedblock')}\n"
    )


def typed_page(kind, label, name, s):
    block = s["block"]
    head = frontmatter(f"{name} {label} - {NAME}", block.get("description", ""))
    return (
        f"{head}\n# {name} ({label})\n\n{one_line(block.get('description'))}\n\n"
        f"{example_section(kind, name)}\n"
        f"## Schema\n\n{schema_markdown(block, 'nestedblock')}\n"
    )


def function_page(name, f):
    head = frontmatter(f"{name} function - {NAME}", f.get("summary", ""))
    params = f.get("parameters", [])
    sig_args = ", ".join(f"{p['name']} {type_text(p['type'])}" for p in params)
    ret = type_text(f["return_type"])
    lines = "\n".join(
        f"1. `{p['name']}` ({type_text(p['type'])}) {one_line(p.get('description'))}" for p in params
    )
    return (
        f"{head}\n# function: {name}\n\n{one_line(f.get('description'))}\n\n"
        f"Needs Terraform 1.8 or later.\n\n"
        f"{example_section('functions', name)}\n"
        f"## Signature\n\n```text\n{name}({sig_args}) {ret}\n```\n\n"
        f"## Arguments\n\n{lines}\n"
    )


def pages(schema):
    out = {"index.md": provider_page(schema)}
    for name, s in sorted(schema.get("resource_schemas", {}).items()):
        out[f"resources/{name.removeprefix(NAME + '_')}.md"] = typed_page("resources", "Resource", name, s)
    for name, s in sorted(schema.get("data_source_schemas", {}).items()):
        out[f"data-sources/{name.removeprefix(NAME + '_')}.md"] = typed_page("data-sources", "Data Source", name, s)
    for name, s in sorted(schema.get("ephemeral_resource_schemas", {}).items()):
        out[f"ephemeral-resources/{name.removeprefix(NAME + '_')}.md"] = typed_page(
            "ephemeral-resources", "Ephemeral Resource", name, s)
    for name, s in sorted(schema.get("action_schemas", {}).items()):
        out[f"actions/{name.removeprefix(NAME + '_')}.md"] = typed_page("actions", "Action", name, s)
    for name, f in sorted(schema.get("functions", {}).items()):
        out[f"functions/{name}.md"] = function_page(name, f)
    return out


def main():
    check = "--check" in sys.argv
    with open(os.path.join(ROOT, "schemas", "mlcloud.json"), encoding="utf-8") as f:
        schema = json.load(f)["provider_schemas"][PROVIDER]
    stale = []
    for rel, text in pages(schema).items():
        path = os.path.join(ROOT, "docs", rel)
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current == text:
            continue
        if check:
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote docs/{rel}")
    if stale:
        print("docs/ is out of date with schemas/mlcloud.json; run scripts/gen-docs:", *stale, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
