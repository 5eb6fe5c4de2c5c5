"""moto in server mode, with the EKS behaviour the real API has and moto lacks.

Started instead of `moto_server` by every test that needs AWS (same arguments:
`serve.py -H 127.0.0.1 -p PORT`). Each change below makes moto answer as the real
service documents; the provider itself knows nothing of moto.

- UpdateClusterConfig changes only what the request names: a request with just the
  endpoint settings keeps the cluster's subnets and security groups (moto replaces the
  whole VPC configuration with the request's).
"""

import sys

from moto.eks import models as eks_models
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

if __name__ == "__main__":
    sys.exit(main())
