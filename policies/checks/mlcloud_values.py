"""Reading mlcloud_* attributes as checkov hands them to a check.

Not a check itself (checkov imports every .py file of an external checks directory;
this one registers nothing). checkov gives a check each attribute wrapped in a list,
after substituting what it can evaluate: variable defaults, module inputs, locals.
What it cannot evaluate stays as text (`var.x`, `mlcloud_kms_key.k.key_ref`,
`${coalesce(...)}`), and a null becomes the text "None". A check must tell those
apart: an absent attribute takes the provider's (secure) default, an unresolved one
is unknown to the scan and decides nothing.
"""

import ipaddress
import re

from checkov.common.models.enums import CheckResult


class _Unresolved:
    """An attribute holding an expression checkov could not evaluate."""

    def __repr__(self):
        return "UNRESOLVED"


UNRESOLVED = _Unresolved()

# A reference Terraform resolves at plan or apply: `var.x`, `local.x`, `each.value.x`,
# `module.m.out`, `data.t.n.a`, or `TYPE.NAME.ATTR` of a resource (types hold a '_').
_REFERENCE = re.compile(
    r"^(var|local|module|data|each|count|self|path|terraform|ephemeral)\."
    r"|^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+(\[[^\]]*\])?\."
)
# A function call left unevaluated, e.g. `try(...)` or `coalesce(...)`.
_CALL = re.compile(r"^[a-z][a-z0-9_]*\(")


def _unwrap(raw):
    # checkov wraps every attribute value (and every block) in a one-element list.
    if isinstance(raw, list) and len(raw) == 1:
        return raw[0]
    return raw


def resolve(value):
    """A value checkov evaluated (None for null), or UNRESOLVED."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text == "None":
            return None
        if "${" in text or _REFERENCE.match(text) or _CALL.match(text):
            return UNRESOLVED
        # A list or map checkov printed as text after a partial evaluation.
        if text.startswith("[") or text.startswith("{"):
            return UNRESOLVED
        return value
    if isinstance(value, list):
        items = [resolve(v) for v in value]
        return UNRESOLVED if any(v is UNRESOLVED for v in items) else items
    if isinstance(value, dict):
        items = {k: resolve(v) for k, v in value.items()}
        return UNRESOLVED if any(v is UNRESOLVED for v in items.values()) else items
    return value


def attribute(conf, name):
    """The attribute's value: None when absent or null, UNRESOLVED when unknown."""
    if not isinstance(conf, dict) or name not in conf:
        return None
    return resolve(_unwrap(conf[name]))


def block(conf, name):
    """The single nested block `name` as a dict, or None when it is not written."""
    if not isinstance(conf, dict) or name not in conf:
        return None
    raw = _unwrap(conf[name])
    return raw if isinstance(raw, dict) else None


def as_list(value):
    """A list or set attribute's elements (a single element checkov unwrapped too)."""
    if value is None or value is UNRESOLVED:
        return []
    return value if isinstance(value, list) else [value]


def as_int(value):
    """A number attribute as an int, None when it is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def cloud(conf):
    """The resource's cloud (aws, azure, gcp), None when unknown to the scan."""
    value = attribute(conf, "cloud")
    return value if isinstance(value, str) else None


def is_whole_internet(cidr):
    """Whether a CIDR block is a /0: every IPv4 or every IPv6 address."""
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def verdict(failed, unknown=False):
    """FAILED when something failed, else UNKNOWN when something was unresolved."""
    if failed:
        return CheckResult.FAILED
    if unknown:
        return CheckResult.UNKNOWN
    return CheckResult.PASSED


# Keys the cloud owns and manages for its own services, which the customer can neither
# rotate, disable nor restrict: AWS-managed keys go by `alias/aws/<service>`.
_CLOUD_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")


def cloud_managed_key(key):
    """Whether a literal key id names a key the cloud manages, not the customer."""
    return bool(_CLOUD_MANAGED_KEY.search(key.strip()))


def refers_to(conf, name, resource_type):
    """Whether the attribute is an unevaluated reference to a `resource_type` resource."""
    if not isinstance(conf, dict) or name not in conf:
        return False
    raw = _unwrap(conf[name])
    return isinstance(raw, str) and f"{resource_type}." in raw


_RESOURCE_ATTRIBUTE = re.compile(r"^(?!(data|module|var|local|each)\.)[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.[a-z_]+$")


def resource_attribute(raw):
    """Whether `raw` is an unevaluated `TYPE.NAME.ATTR` of a managed resource, e.g.
    `mlcloud_kms_key.k.key_ref`: one object's identifier, never a pattern."""
    return isinstance(raw, str) and bool(_RESOURCE_ATTRIBUTE.match(raw.strip()))


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def literals_in(conf, name):
    """The quoted string literals in an attribute checkov left unevaluated, e.g. the
    `"default"` of `concat(var.extra, ["default"])`: whatever the rest evaluates to,
    these values are in it or in one of its branches."""
    if not isinstance(conf, dict) or name not in conf:
        return []
    raw = _unwrap(conf[name])
    if not isinstance(raw, str):
        return []
    return [a if a is not None and a != "" else b for a, b in _QUOTED.findall(raw)]
