"""CKV_MLCLOUD_6: a destroyed key stays recoverable for at least 7 days."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_int, attribute

MIN_DELETION_WINDOW_DAYS = 7


class KmsKeyDeletionWindow(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_kms_key keeps a deletion window of at least 7 days (deletion_window_days >= 7, "
            "default 30): a key deleted at once makes everything it encrypted unreadable, with no time to undo a mistake",
            id="CKV_MLCLOUD_6",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("mlcloud_kms_key",),
        )

    def scan_resource_conf(self, conf):
        days = attribute(conf, "deletion_window_days")
        if days is None:
            return CheckResult.PASSED  # the provider's default: 30
        if days is UNRESOLVED:
            return CheckResult.UNKNOWN
        days = as_int(days)
        if days is None:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if days >= MIN_DELETION_WINDOW_DAYS else CheckResult.FAILED


check = KmsKeyDeletionWindow()
