#!/usr/bin/env python3
"""Generates the registry-format docs under docs/ from the provider schema.

The input is `schemas/mlcloud.json`, exactly what `terraform providers schema -json`
prints for this provider (scripts/gen-docs refreshes it). Every page embeds the
runnable example module named in EXAMPLES, so docs and examples cannot drift apart;
resource pages end with an Import section whose id forms are read from each cloud's
rules.rs; index.md links every guide. The guides themselves (docs/guides/*.md) are
written by hand and never touched here.

  generate.py            write docs/
  generate.py --check    exit 1 and list the pages that differ from what is committed
"""

import json
import os
import re
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


# Where each cloud's import id forms are written (`fn id_form` of its CloudRules), and
# which object kind is which resource: the Import sections quote them, so they cannot
# drift from what the provider accepts.
ID_FORM_SOURCES = {cloud: f"provider/src/clouds/{cloud}/rules.rs" for cloud in ("aws", "azure", "gcp")}
OBJECT_KINDS = {
    "Key": "mlcloud_kms_key",
    "Identity": "mlcloud_identity",
    "Cluster": "mlcloud_cluster",
    "NodePool": "mlcloud_node_pool",
}
# A serving endpoint lives in its cluster; its import id is the one form
# provider/src/resources/serving_endpoint.rs (`import`, `parse_endpoint_id`) reads.
ENDPOINT_ID_FORM = "CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME"  # CLUSTER_ID: a cluster's form

# What the Import sections call each resource's objects, and what its id is.
IMPORTED_NOUNS = {
    "mlcloud_kms_key": "key",
    "mlcloud_identity": "identity (role, managed identity or service account)",
    "mlcloud_cluster": "cluster",
    "mlcloud_node_pool": "node pool",
    "mlcloud_serving_endpoint": "serving endpoint",
}
ID_MEANING = {
    "mlcloud_serving_endpoint": "its cluster's `id` followed by its namespace and name",
}

# What each list resource's `terraform query` example lists.
QUERY_EXAMPLES = {
    "mlcloud_cluster": (
        "the clusters of the provider block's AWS region, and of a Google Cloud location",
        [
            ("all", {"cloud": '"aws"'}),
            ("europe", {"cloud": '"gcp"', "location": '"europe-west4"'}),
        ],
    ),
    "mlcloud_node_pool": (
        "the node pools of one cluster (its system pool belongs to the cluster)",
        [("gpu", {"cloud": '"aws"', "cluster_id": '"arn:aws:eks:us-east-1:123456789012:cluster/ml"'})],
    ),
}


def id_forms():
    """{resource type: [(cloud, id form)]}, read from each cloud's rules.rs."""
    forms = {}
    for cloud, rel in ID_FORM_SOURCES.items():
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
        start = text.find("fn id_form(")
        if start < 0:
            raise SystemExit(f"no fn id_form in {rel}: the Import sections read the id forms there")
        end = text.find("\n    }\n", start)
        for kind, form in re.findall(r'ObjectKind::(\w+)\s*=>\s*\{?\s*"([^"]+)"', text[start:end]):
            forms.setdefault(OBJECT_KINDS[kind], []).append((cloud, form))
    forms["mlcloud_serving_endpoint"] = [
        (cloud, ENDPOINT_ID_FORM.replace("CLUSTER_ID", form.removesuffix("NAME") + "CLUSTER"))
        for cloud, form in forms["mlcloud_cluster"]
    ]
    return forms


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


def guides_section():
    """A link to every hand-written guide in docs/guides/, titled by its page_title."""
    folder = os.path.join(ROOT, "docs", "guides")
    lines = []
    for file in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not file.endswith(".md"):
            continue
        with open(os.path.join(folder, file), encoding="utf-8") as f:
            title = next((line.split('"')[1] for line in f if line.startswith("page_title:")), None)
        if title is None:
            raise SystemExit(f"docs/guides/{file} has no page_title in its front matter")
        lines.append(f"- [{title.removesuffix(' - ' + NAME)}](guides/{file})")
    return "## Guides\n\n" + "\n".join(lines) + "\n\n" if lines else ""


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
        f"{guides_section()}"
        f"## Schema\n\n{schema_markdown(block, 'nestedblock')}\n"
    )


def typed_page(kind, label, name, s, tail=""):
    block = s["block"]
    head = frontmatter(f"{name} {label} - {NAME}", block.get("description", ""))
    return (
        f"{head}\n# {name} ({label})\n\n{one_line(block.get('description'))}\n\n"
        f"{example_section(kind, name)}\n"
        f"## Schema\n\n{schema_markdown(block, 'nestedblock')}\n"
        + (f"\n{tail}" if tail else "")
    )


def import_section(name, identity, forms):
    """How to import `name`: by id (CLI and `import` block) and by identity."""
    if not forms:
        raise SystemExit(f"no import id form known for {name}: see ID_FORM_SOURCES")
    rows = "\n".join(f"| {cloud} | `{form}` |" for cloud, form in forms)
    first_cloud, first_form = forms[0]
    out = [
        "## Import",
        "",
        f"An existing {IMPORTED_NOUNS.get(name, name)} is imported by its `id`, "
        + ID_MEANING.get(name, "the cloud's own identifier")
        + " (the cloud follows from the id's form; any other form is an error listing the accepted ones):",
        "",
        "| cloud | id |\n|---|---|\n" + rows,
        "",
        "With the CLI:",
        "",
        f"```shell\nterraform import {name}.this '{first_form}'\n```",
        "",
        "Or with an `import` block (Terraform 1.5 or later), planned and applied like any change:",
        "",
        f'```terraform\nimport {{\n  to = {name}.this\n  id = "{first_form}"\n}}\n```',
    ]
    if identity:
        attrs = identity.get("attributes", {})
        width = max(len(a) for a in attrs)
        values = {"id": f'"{first_form}"', "cloud": f'"{first_cloud}"'}
        lines = "\n".join(f"    {a.ljust(width)} = {values.get(a, '...')}" for a in sorted(attrs, key=lambda a: a != "id"))
        described = "\n".join(
            f"- `{a}` ({type_text(v['type']).capitalize()}, "
            f"{'required' if v.get('required_for_import') else 'optional'}) {one_line(v.get('description'))}"
            for a, v in sorted(attrs.items())
        )
        out += [
            "",
            "By identity (Terraform 1.12 or later), as `terraform query -generate-config-out` writes it:",
            "",
            f"```terraform\nimport {{\n  to = {name}.this\n  identity = {{\n{lines}\n  }}\n}}\n```",
            "",
            "The identity's attributes:",
            "",
            described,
        ]
    return "\n".join(out) + "\n"


def list_page(name, s, resource_page):
    block = s["block"]
    head = frontmatter(f"{name} List Resource - {NAME}", block.get("description", ""))
    what, lists = QUERY_EXAMPLES.get(name, (None, None))
    if lists is None:
        raise SystemExit(f"no terraform query example for {name}: add one to QUERY_EXAMPLES")
    hcl = []
    for label, config in lists:
        width = max(len(k) for k in config)
        body = "\n".join(f"    {k.ljust(width)} = {v}" for k, v in config.items())
        hcl.append(f'list "{name}" "{label}" {{\n  provider = {NAME}\n\n  config {{\n{body}\n  }}\n}}')
    hcl = "\n\n".join(hcl)
    return (
        f"{head}\n# {name} (List Resource)\n\n{one_line(block.get('description'))}\n\n"
        "Needs Terraform 1.14 or later. Each result names the object by its resource identity, "
        f"so it can be imported as a [`{name}`]({resource_page}).\n\n"
        "## Example Usage\n\n"
        f"In a `*.tfquery.hcl` file of a configuration whose provider block configures the cloud, {what}:\n\n"
        f"```terraform\n{hcl}\n```\n\n"
        "`terraform query` prints what each list found; `terraform query -generate-config-out=imported.tf` "
        "writes a resource and an `import` block by identity for each, to review and apply.\n\n"
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
    forms = id_forms()
    identities = schema.get("resource_identity_schemas", {})
    for name, s in sorted(schema.get("resource_schemas", {}).items()):
        tail = import_section(name, identities.get(name), forms.get(name))
        out[f"resources/{name.removeprefix(NAME + '_')}.md"] = typed_page("resources", "Resource", name, s, tail)
    for name, s in sorted(schema.get("list_resource_schemas", {}).items()):
        short = name.removeprefix(NAME + "_")
        out[f"list-resources/{short}.md"] = list_page(name, s, f"../resources/{short}.md")
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
