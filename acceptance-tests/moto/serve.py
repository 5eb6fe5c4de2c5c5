"""moto in server mode, with the EKS behaviour the real API has and moto lacks.

Started instead of `moto_server` by every test that needs AWS (same arguments:
`serve.py -H 127.0.0.1 -p PORT`). Each change below makes moto answer as the real
service documents; the provider itself knows nothing of moto.

- UpdateClusterConfig changes only what the request names: a request with just the
  endpoint settings keeps the cluster's subnets and security groups (moto replaces the
  whole VPC configuration with the request's).
- CreateNodegroup without a version gives the group its cluster's version, as EKS
  does (moto gives it moto's default version).
- GetCallerIdentity for credentials moto does not know names an IAM user
  (`arn:aws:iam::ACCOUNT:user/moto`), as STS names a user; moto says `arn:aws:sts::`,
  which no IAM principal has (EKS access entries refuse it).
- EnableKeyRotation keeps `RotationPeriodInDays` (default 365) and GetKeyRotationStatus
  reports it for an enabled rotation, as KMS does (moto drops the period).
- CreateServiceLinkedRole for a role that exists answers IAM's `InvalidInput` ("has
  been taken in this account"), as IAM does (moto says `EntityAlreadyExists`).
"""

import json
import sys

from moto.eks import models as eks_models
from moto.iam import exceptions as iam_exceptions
from moto.iam import models as iam_models
from moto.kms import responses as kms_responses
from moto.sts import models as sts_models
from moto.server import main

_update_cluster_config = eks_models.EKSBackend.update_cluster_config


def _update_cluster_config_merging_vpc(self, name, resources_vpc_config, *args, **kwargs):
    cluster = self.clusters.get(name)
    if cluster is not None and resources_vpc_config:
        merged = dict(cluster.resources_vpc_config or {})
        merged.update(resources_vpc_config)
        resources_vpc_config = merged
    return _update_cluster_config(self, name, resources_vpc_config, *args, **kwargs)


eks_models.EKSBackend.update_cluster_config = _update_cluster_config_merging_vpc

_create_nodegroup = eks_models.EKSBackend.create_nodegroup


def _create_nodegroup_at_cluster_version(self, cluster_name, *args, **kwargs):
    cluster = self.clusters.get(cluster_name)
    if cluster is not None and not kwargs.get("version"):
        kwargs["version"] = cluster.version
    return _create_nodegroup(self, cluster_name, *args, **kwargs)


eks_models.EKSBackend.create_nodegroup = _create_nodegroup_at_cluster_version

_get_caller_identity = sts_models.STSBackend.get_caller_identity


def _get_caller_identity_as_iam_user(self, *args, **kwargs):
    user_id, arn, account_id = _get_caller_identity(self, *args, **kwargs)
    if arn.endswith(":user/moto") and ":sts::" in arn:
        arn = arn.replace(":sts::", ":iam::", 1)
    return user_id, arn, account_id


sts_models.STSBackend.get_caller_identity = _get_caller_identity_as_iam_user

_enable_key_rotation = kms_responses.KmsResponse.enable_key_rotation


def _enable_key_rotation_with_period(self):
    answer = _enable_key_rotation(self)
    key_id = self.kms_backend.get_key_id(self._get_param("KeyId"))
    period = self._get_param("RotationPeriodInDays") or 365
    self.kms_backend.keys[key_id].rotation_period_in_days = int(period)
    return answer


def _get_key_rotation_status_with_period(self):
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
    status = {"KeyId": key.id, "KeyRotationEnabled": bool(key.key_rotation_status)}
    if key.key_rotation_status:
        status["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
    return json.dumps(status)


kms_responses.KmsResponse.enable_key_rotation = _enable_key_rotation_with_period
kms_responses.KmsResponse.get_key_rotation_status = _get_key_rotation_status_with_period

_create_service_linked_role = iam_models.IAMBackend.create_service_linked_role


def _create_service_linked_role_once(self, service_name, description, suffix):
    try:
        return _create_service_linked_role(self, service_name, description, suffix)
    except iam_exceptions.EntityAlreadyExists:
        raise iam_exceptions.InvalidInput(
            "Service role name for "
            + service_name
            + " has been taken in this account, please try a different suffix."
        )


iam_models.IAMBackend.create_service_linked_role = _create_service_linked_role_once

if __name__ == "__main__":
    sys.exit(main())
