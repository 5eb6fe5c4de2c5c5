"""CKV_MLCLOUD_1: a cluster's Kubernetes secrets are encrypted with a customer-managed key."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, attribute, cloud_managed_key, refers_to


class ClusterEncryptionKey(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_cluster secrets are encrypted with a customer-managed key (encryption_key_id): "
            "with none, or a cloud-managed one, nobody can rotate, revoke or audit the key that protects them",
            id="CKV_MLCLOUD_1",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=("mlcloud_cluster",),
        )

    def scan_resource_conf(self, conf):
        if refers_to(conf, "encryption_key_id", "mlcloud_kms_key"):
            return CheckResult.PASSED
        key = attribute(conf, "encryption_key_id")
        if key is UNRESOLVED:
            return CheckResult.UNKNOWN
        if not isinstance(key, str) or not key.strip() or cloud_managed_key(key):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ClusterEncryptionKey()
