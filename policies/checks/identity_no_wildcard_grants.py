"""CKV_MLCLOUD_7: an identity's grants name exact keys and model store locations."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, attribute, literals_in, resolve, resource_attribute, verdict

# IAM reads these as patterns: in an S3 object ARN or a KMS key ARN `*` and `?` match
# anything, so `s3://bucket/*` or `arn:aws:kms:...:key/*` grants far more than one object.
WILDCARDS = ("*", "?")


def _wildcard(text):
    return isinstance(text, str) and (not text.strip() or any(w in text for w in WILDCARDS))


class IdentityNoWildcardGrants(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_identity grants name exact targets (no '*' or '?' in grants' action or target): "
            "a wildcard grant lets a leaked workload token decrypt every key or read every model store",
            id="CKV_MLCLOUD_7",
            categories=(CheckCategories.IAM,),
            supported_resources=("mlcloud_identity",),
        )

    def scan_resource_conf(self, conf):
        grants = attribute(conf, "grants")
        if grants is None:
            return CheckResult.PASSED
        # Judge each element checkov evaluated; a list it could not evaluate at all
        # (`local.grants`) is unknown.
        elements = self._elements(conf)
        unknown, failed = grants is UNRESOLVED and not elements, False
        for grant in elements:
            for field in ("action", "target"):
                raw = grant.get(field)
                if resource_attribute(raw):
                    continue  # e.g. mlcloud_kms_key.k.key_ref: one key
                value = resolve(raw)
                if value is UNRESOLVED or value is None:
                    unknown = True
                elif _wildcard(value):
                    failed = True
        # An expression checkov left unevaluated still fails on a wildcard it spells out.
        failed = failed or any(_wildcard(text) and text for text in literals_in(conf, "grants"))
        return verdict(failed, unknown)

    @staticmethod
    def _elements(conf):
        raw = conf.get("grants")
        while isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], list):
            raw = raw[0]
        return [g for g in (raw if isinstance(raw, list) else []) if isinstance(g, dict)]


check = IdentityNoWildcardGrants()
