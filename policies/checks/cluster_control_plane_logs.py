"""CKV_MLCLOUD_4: a cluster sends every control-plane log type."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_list, attribute, cloud

# Every control-plane log type mlcloud can turn on, per cloud, as the provider's rules
# list them (provider/src/clouds/*/rules.rs: LOG_TYPES). Azure has none yet: AKS's logs
# are diagnostic settings the provider does not manage (policies/README.md).
LOG_TYPES = {
    "aws": {"api", "audit", "authenticator", "controllerManager", "scheduler"},
    "gcp": {"SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"},
    "azure": set(),
}


class ClusterControlPlaneLogs(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_cluster sends every control-plane log type (logging unset, or all of them): "
            "without the API server, audit and authenticator logs nobody can tell who did what to the cluster",
            id="CKV_MLCLOUD_4",
            categories=(CheckCategories.LOGGING,),
            supported_resources=("mlcloud_cluster",),
        )

    def scan_resource_conf(self, conf):
        if "logging" not in conf:
            return CheckResult.PASSED  # the provider's default: every log type
        logging = attribute(conf, "logging")
        if logging is None:
            return CheckResult.PASSED  # null is unset
        if logging is UNRESOLVED:
            return CheckResult.UNKNOWN
        wanted = LOG_TYPES.get(cloud(conf))
        if wanted is None:
            return CheckResult.UNKNOWN
        enabled = set(as_list(logging))
        if not wanted:
            return CheckResult.PASSED
        return CheckResult.PASSED if wanted <= enabled else CheckResult.FAILED


check = ClusterControlPlaneLogs()
