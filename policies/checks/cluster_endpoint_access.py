"""CKV_MLCLOUD_3: a cluster's API endpoint is private, or public to restricted networks only."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_list, attribute, is_whole_internet, verdict


class ClusterEndpointAccess(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_cluster API endpoint is private, or public only to authorized_cidrs that exclude "
            "0.0.0.0/0: an API server open to the internet lets anyone try credentials and exploits against it",
            id="CKV_MLCLOUD_3",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("mlcloud_cluster",),
        )

    def scan_resource_conf(self, conf):
        access = attribute(conf, "endpoint_access")
        cidrs = attribute(conf, "authorized_cidrs")
        # The provider's default is private; authorized_cidrs count only for a public one
        # (it refuses them otherwise, and refuses a public endpoint without them).
        if access is None or access == "private":
            return CheckResult.PASSED
        if access is UNRESOLVED:
            # Unknown access: an open CIDR list is still a finding.
            return verdict(any(is_whole_internet(c) for c in as_list(cidrs)), unknown=True)
        if cidrs is UNRESOLVED:
            return CheckResult.UNKNOWN
        return verdict(any(is_whole_internet(c) for c in as_list(cidrs)))


check = ClusterEndpointAccess()
