"""CKV_MLCLOUD_2: a node pool's disks are encrypted with a customer-managed key."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, attribute, cloud_managed_key, refers_to


class NodePoolDiskEncryptionKey(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_node_pool disks are encrypted with a customer-managed key (disk_encryption_key_id, "
            "by default the cluster's): a cloud-managed key leaves model weights and data on the nodes' disks "
            "under a key nobody can rotate, revoke or audit",
            id="CKV_MLCLOUD_2",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=("mlcloud_node_pool",),
        )

    def scan_resource_conf(self, conf):
        # Unset, the pool takes the cluster's encryption_key_id (CKV_MLCLOUD_1 checks
        # that one); azure refuses the attribute, its disks follow the cluster's key.
        if "disk_encryption_key_id" not in conf:
            return CheckResult.PASSED
        if refers_to(conf, "disk_encryption_key_id", "mlcloud_kms_key"):
            return CheckResult.PASSED
        key = attribute(conf, "disk_encryption_key_id")
        if key is UNRESOLVED:
            return CheckResult.UNKNOWN
        if key is None:
            return CheckResult.PASSED
        if not isinstance(key, str) or not key.strip() or cloud_managed_key(key):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = NodePoolDiskEncryptionKey()
