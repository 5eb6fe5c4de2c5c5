"""CKV_MLCLOUD_9: a serving endpoint's network policy admits only dedicated namespaces."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_list, attribute, literals_in, verdict

# Namespaces every cluster has and many unrelated workloads share: admitting one (or
# serving from one, whose pods the policy always admits) admits pods nobody vetted.
SHARED_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}


class ServingEndpointNamespaces(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_serving_endpoint network policy admits only dedicated namespaces (namespace and "
            "allowed_namespaces not default, kube-system, kube-public or kube-node-lease): a shared namespace "
            "lets any workload there call the model",
            id="CKV_MLCLOUD_9",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("mlcloud_serving_endpoint",),
        )

    def scan_resource_conf(self, conf):
        namespace = attribute(conf, "namespace")  # unset: ml-serving
        allowed = attribute(conf, "allowed_namespaces")
        unknown = namespace is UNRESOLVED or allowed is UNRESOLVED
        names = [] if namespace in (None, UNRESOLVED) else [namespace]
        names += as_list(allowed)
        # An expression checkov left unevaluated still fails on a shared namespace it spells out.
        for attr in ("namespace", "allowed_namespaces"):
            names += literals_in(conf, attr)
        failed = any(isinstance(n, str) and n.strip() in SHARED_NAMESPACES for n in names)
        return verdict(failed, unknown)


check = ServingEndpointNamespaces()
