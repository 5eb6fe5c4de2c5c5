"""CKV_MLCLOUD_5: a key rotates at least once a year."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_int, attribute

MAX_ROTATION_DAYS = 365


class KmsKeyRotation(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_kms_key rotates at least every 365 days (rotation_period_days <= 365, the default): "
            "a key used longer protects more data with one key material, and a leaked version stays useful longer",
            id="CKV_MLCLOUD_5",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=("mlcloud_kms_key",),
        )

    def scan_resource_conf(self, conf):
        days = attribute(conf, "rotation_period_days")
        if days is None:
            return CheckResult.PASSED  # the provider's default: 365
        if days is UNRESOLVED:
            return CheckResult.UNKNOWN
        days = as_int(days)
        if days is None:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if days <= MAX_ROTATION_DAYS else CheckResult.FAILED


check = KmsKeyRotation()
