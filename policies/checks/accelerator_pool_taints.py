"""CKV_MLCLOUD_8: GPU and TPU pools are tainted, so only accelerator workloads land there."""

import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mlcloud_values import UNRESOLVED, as_list, attribute, block, resolve

# Machine types that carry GPUs or TPUs, for pools that name one instead of an
# `accelerator {}` (the provider's catalog: aws p*/g* families, azure N-series, gcp
# A2/A3/G2 GPU and ct* TPU machines).
ACCELERATOR_MACHINE = re.compile(
    r"^([pg][0-9]+[a-z]*\.)"  # aws: p4d.24xlarge, g5.xlarge, g4dn.metal
    r"|^Standard_N[CDV]"  # azure: Standard_NC8as_T4_v3, Standard_ND96isr_H100_v5
    r"|^(a[0-9]+|g[0-9]+)-[a-z]+gpu-|^g[0-9]+-standard-|^ct[0-9]+[a-z]*-"  # gcp GPU and TPU
)
# Effects that keep pods without a toleration off the nodes; PreferNoSchedule only asks.
REPELLING = {"NoSchedule", "NoExecute"}


class AcceleratorPoolTaints(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud_node_pool with GPUs or TPUs keeps a NoSchedule or NoExecute taint (taints unset "
            "takes the accelerator taint): untainted, any pod can land on the accelerator nodes, wasting them "
            "and placing unrelated workloads beside the models and their data",
            id="CKV_MLCLOUD_8",
            categories=(CheckCategories.KUBERNETES,),
            supported_resources=("mlcloud_node_pool",),
        )

    def scan_resource_conf(self, conf):
        accelerated = self._accelerated(conf)
        if accelerated is False:
            return CheckResult.PASSED
        if "taints" not in conf:
            return CheckResult.PASSED  # the provider's default: the accelerator taint
        taints = attribute(conf, "taints")
        if taints is None:
            return CheckResult.PASSED
        if taints is UNRESOLVED or accelerated is None:
            return CheckResult.UNKNOWN
        for taint in self._flatten(as_list(taints)):
            if isinstance(taint, dict) and resolve(taint.get("effect")) in REPELLING:
                return CheckResult.PASSED
        return CheckResult.FAILED

    @staticmethod
    def _accelerated(conf):
        """True for a GPU or TPU pool, False for a CPU pool, None when unknown."""
        if block(conf, "accelerator") is not None or block(conf, "tpu") is not None:
            return True
        machine = attribute(conf, "machine_type")
        if machine is UNRESOLVED:
            return None
        return isinstance(machine, str) and bool(ACCELERATOR_MACHINE.match(machine))

    @staticmethod
    def _flatten(items):
        for item in items:
            if isinstance(item, list):
                yield from item
            else:
                yield item


check = AcceleratorPoolTaints()
