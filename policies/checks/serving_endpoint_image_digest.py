"""CKV_MLCLOUD_11: a serving endpoint's own image is pinned by digest."""

import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, attribute

# `registry/repository[:tag]@sha256:<64 hex>`: the bytes, not a name someone can move.
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


class ServingEndpointImageDigest(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_serving_endpoint image, when set, is pinned by digest (image@sha256:...): a tag can be "
            "moved, so whoever can push to the registry chooses the code that serves the model and holds its identity",
            id="CKV_MLCLOUD_11",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_resources=("mlcloud_serving_endpoint",),
        )

    def scan_resource_conf(self, conf):
        image = attribute(conf, "image")
        if image is None:
            return CheckResult.PASSED  # the provider's bundled smoke-test image
        if image is UNRESOLVED or not isinstance(image, str):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if DIGEST.search(image.strip()) else CheckResult.FAILED


check = ServingEndpointImageDigest()
