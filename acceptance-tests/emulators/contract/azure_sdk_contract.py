"""The azure part of mlcloud-emulator, driven by Microsoft's official Python SDKs.

Run by acceptance-tests/tests/mlcloud_emulator_azure_contract.rs with the emulator's
ready line in MLCLOUD_EMULATOR_READY. It builds what the provider builds (a resource
group, an RBAC Key Vault with a key and a rotation policy, identities with a federated
credential, role assignments, an AKS cluster with KMS and a GPU spot pool), waits on
the SDKs' own pollers, reads everything back, deletes it all and checks the emulator
holds nothing; on the way it checks the refusals the real services answer. Prints
"contract ok" at the end; any failure raises.
"""

import base64
import io
import concurrent.futures
import json
import os
import urllib.request
import uuid

READY = json.loads(os.environ["MLCLOUD_EMULATOR_READY"])
AZ = READY["azure"]
CA = AZ["ca_file"]
# MSAL (inside azure-identity) and azure-core both use requests, which reads this.
os.environ["REQUESTS_CA_BUNDLE"] = CA

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError  # noqa: E402
from azure.identity import ClientSecretCredential  # noqa: E402
from azure.keyvault.keys import KeyClient, KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction  # noqa: E402
from azure.mgmt.authorization import AuthorizationManagementClient  # noqa: E402
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters  # noqa: E402
from azure.mgmt.containerservice import ContainerServiceClient  # noqa: E402
from azure.mgmt.containerservice import models as aks  # noqa: E402
from azure.mgmt.keyvault import KeyVaultManagementClient  # noqa: E402
from azure.mgmt.keyvault import models as kv  # noqa: E402
from azure.mgmt.msi import ManagedServiceIdentityClient  # noqa: E402
from azure.mgmt.msi.models import FederatedIdentityCredential, Identity  # noqa: E402
from azure.mgmt.resource.resources import ResourceManagementClient  # noqa: E402

SUB = AZ["subscription_id"]
TENANT = AZ["tenant_id"]
LOCATION = "eastus"
GROUP = "contract-rg"
CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


def credential(secret=AZ["client_secret"]):
    return ClientSecretCredential(
        TENANT,
        AZ["client_id"],
        secret,
        authority=AZ["active_directory"],
        disable_instance_discovery=True,
        connection_verify=CA,
    )


CRED = credential()
ARM = dict(
    base_url=AZ["resource_manager"],
    credential_scopes=["https://management.azure.com/.default"],
    connection_verify=CA,
    polling_interval=0,
)


def admin(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(READY["admin"] + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def role_definition(guid):
    return f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def refused(code, call, *args, **kwargs):
    """Runs call, which must fail with ARM error `code`; returns the error."""
    try:
        result = call(*args, **kwargs)
        if hasattr(result, "result"):
            result.result()
    except HttpResponseError as error:
        got = error.error.code if error.error else None
        assert got == code, f"expected {code}, got {got}: {error.message}"
        return error
    raise AssertionError(f"expected {code}, but the call succeeded")


def main():
    resources = ResourceManagementClient(CRED, SUB, **ARM)
    vaults = KeyVaultManagementClient(CRED, SUB, **ARM)
    identities = ManagedServiceIdentityClient(CRED, SUB, **ARM)
    authorization = AuthorizationManagementClient(CRED, SUB, **ARM)
    clusters = ContainerServiceClient(CRED, SUB, **ARM)

    # Credentials: only the printed ones.
    try:
        credential("not-the-secret").get_token("https://management.azure.com/.default")
        raise AssertionError("a wrong client secret got a token")
    except ClientAuthenticationError as error:
        assert "AADSTS7000215" in str(error), str(error)

    group = resources.resource_groups.create_or_update(GROUP, {"location": LOCATION})
    assert group.name == GROUP and resources.resource_groups.check_existence(GROUP)
    refused("ResourceGroupNotFound", resources.resource_groups.get, "no-such-group")
    old = ResourceManagementClient(CRED, SUB, api_version="2014-04-01", **ARM)
    refused("InvalidApiVersionParameter", old.resource_groups.get, GROUP)

    # Key Vault: an RBAC vault, a key created through ARM, a rotation policy on the data plane.
    vault = vaults.vaults.begin_create_or_update(
        GROUP,
        "contract-kv",
        kv.VaultCreateOrUpdateParameters(
            location=LOCATION,
            properties=kv.VaultProperties(
                tenant_id=TENANT,
                sku=kv.Sku(family="A", name="standard"),
                enable_rbac_authorization=True,
                enable_purge_protection=None,
                soft_delete_retention_in_days=7,
                public_network_access="Enabled",
            ),
        ),
    ).result()
    assert vault.properties.vault_uri.startswith(AZ["resource_manager"]), vault.properties.vault_uri
    refused(
        "BadRequest",
        vaults.vaults.begin_create_or_update,
        GROUP,
        "contract-kv",
        kv.VaultCreateOrUpdateParameters(
            location=LOCATION,
            properties=kv.VaultProperties(tenant_id=TENANT, sku=kv.Sku(family="A", name="standard"), enable_soft_delete=False),
        ),
    )
    key_parameters = kv.KeyCreateParameters(properties=kv.KeyProperties(kty="RSA", key_size=2048))
    key = vaults.keys.create_if_not_exist(GROUP, "contract-kv", "etcd", key_parameters)
    again = vaults.keys.create_if_not_exist(
        GROUP, "contract-kv", "etcd", kv.KeyCreateParameters(properties=kv.KeyProperties(kty="RSA", key_size=4096))
    )
    assert again.properties.key_uri_with_version == key.properties.key_uri_with_version, "a key PUT never updates"
    assert again.properties.key_size == 2048
    key_client = KeyClient(vault.properties.vault_uri, CRED, verify_challenge_resource=False, connection_verify=CA)
    try:
        key_client.get_key_rotation_policy("etcd")
        raise AssertionError("the data plane answered a caller without a role")
    except HttpResponseError as error:
        assert error.status_code == 403 and "ForbiddenByRbac" in str(error), str(error)
    officer = authorization.role_assignments.create(
        vault.id,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(
            role_definition_id=role_definition(CRYPTO_OFFICER), principal_id=AZ["object_id"], principal_type="ServicePrincipal"
        ),
    )
    policy = key_client.update_key_rotation_policy(
        "etcd",
        KeyRotationPolicy(
            lifetime_actions=[KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")],
            expires_in="P2Y",
        ),
    )
    assert policy.expires_in == "P2Y", policy.expires_in
    read = key_client.get_key_rotation_policy("etcd")
    assert read.lifetime_actions[0].time_after_create == "P90D"
    try:
        key_client.update_key_rotation_policy(
            "etcd",
            KeyRotationPolicy(lifetime_actions=[KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P1D")]),
        )
        raise AssertionError("a one-day rotation was accepted")
    except HttpResponseError as error:
        assert error.status_code == 400 and "BadParameter" in str(error), str(error)

    # Identities: the control plane's, and a workload identity with federated credentials.
    # The SDK's model insists on a location; a raw body gets past it to the service.
    refused("LocationRequired", identities.user_assigned_identities.create_or_update, GROUP, "no-location", io.BytesIO(b"{}"))
    control_plane = identities.user_assigned_identities.create_or_update(GROUP, "contract-cp", Identity(location=LOCATION))
    workload = identities.user_assigned_identities.create_or_update(GROUP, "contract-wl", Identity(location=LOCATION))
    assert control_plane.client_id and control_plane.principal_id and control_plane.tenant_id == TENANT

    def federate(name):
        return identities.federated_identity_credentials.create_or_update(
            GROUP,
            "contract-wl",
            name,
            FederatedIdentityCredential(
                issuer="https://issuer.example/", subject=f"system:serviceaccount:ml:{name}", audiences=["api://AzureADTokenExchange"]
            ),
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda n: _try(federate, n), ["fic-a", "fic-b"]))
    codes = sorted(str(o) for o in outcomes)
    assert "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity" in codes, codes
    assert "ok" in codes, codes
    federate("fic-a")
    federate("fic-b")
    listed = list(identities.federated_identity_credentials.list(GROUP, "contract-wl"))
    assert sorted(f.name for f in listed) == ["fic-a", "fic-b"], listed

    # Role assignments: a duplicate, and a principal the directory has not replicated yet.
    key_scope = key.id
    assign = lambda name: authorization.role_assignments.create(  # noqa: E731
        key_scope,
        name,
        RoleAssignmentCreateParameters(role_definition_id=role_definition(CRYPTO_USER), principal_id=control_plane.principal_id),
    )
    refused(
        "RoleDefinitionDoesNotExist",
        authorization.role_assignments.create,
        key_scope,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(role_definition_id=role_definition(str(uuid.uuid4())), principal_id=control_plane.principal_id),
    )

    # AKS refuses KMS while the control-plane identity cannot use the key.
    def cluster_model(key_id, network_access="Public", vault_resource_id=None, version="1.33"):
        return aks.ManagedCluster(
            location=LOCATION,
            identity=aks.ManagedClusterIdentity(
                type="UserAssigned", user_assigned_identities={control_plane.id: aks.UserAssignedIdentity()}
            ),
            kubernetes_version=version,
            dns_prefix="contract",
            agent_pool_profiles=[
                aks.ManagedClusterAgentPoolProfile(
                    name="system", count=1, vm_size="Standard_D4ds_v5", mode="System", node_taints=["CriticalAddonsOnly=true:NoSchedule"]
                )
            ],
            enable_rbac=True,
            disable_local_accounts=True,
            aad_profile=aks.ManagedClusterAADProfile(managed=True, enable_azure_rbac=True),
            oidc_issuer_profile=aks.ManagedClusterOIDCIssuerProfile(enabled=True),
            api_server_access_profile=aks.ManagedClusterAPIServerAccessProfile(enable_private_cluster=True),
            security_profile=aks.ManagedClusterSecurityProfile(
                workload_identity=aks.ManagedClusterSecurityProfileWorkloadIdentity(enabled=True),
                azure_key_vault_kms=aks.AzureKeyVaultKms(
                    enabled=True, key_id=key_id, key_vault_network_access=network_access, key_vault_resource_id=vault_resource_id
                ),
            ),
            network_profile=aks.ContainerServiceNetworkProfile(network_plugin="azure", network_policy="cilium", network_dataplane="cilium"),
            auto_upgrade_profile=aks.ManagedClusterAutoUpgradeProfile(upgrade_channel="stable"),
        )

    versioned = key.properties.key_uri_with_version
    error = refused("BadRequest", clusters.managed_clusters.begin_create_or_update, GROUP, "contract-aks", cluster_model(versioned))
    assert "encrypt/decrypt permission" in error.message, error.message
    admin("PUT", "/settings/azure", {"principal_replication_delay_seconds": 60})
    refused("PrincipalNotFound", assign, str(uuid.uuid4()))
    admin("PUT", "/settings/azure", {"principal_replication_delay_seconds": 0})
    assignment = assign(str(uuid.uuid4()))
    assert assignment.principal_id == control_plane.principal_id
    refused("RoleAssignmentExists", assign, str(uuid.uuid4()))
    at_scope = list(authorization.role_assignments.list_for_scope(key_scope, filter="atScope()"))
    # At the key and above it: the key's assignment and the caller's on the vault.
    assert sorted(a.name for a in at_scope) == sorted([assignment.name, officer.name]), at_scope

    # A private vault: AKS needs keyVaultNetworkAccess Private and the vault's id.
    private = vaults.vaults.begin_create_or_update(
        GROUP,
        "contract-private",
        kv.VaultCreateOrUpdateParameters(
            location=LOCATION,
            properties=kv.VaultProperties(
                tenant_id=TENANT,
                sku=kv.Sku(family="A", name="standard"),
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                public_network_access="Disabled",
            ),
        ),
    ).result()
    private_key = vaults.keys.create_if_not_exist(GROUP, "contract-private", "etcd", key_parameters)
    authorization.role_assignments.create(
        private.id,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(role_definition_id=role_definition(CRYPTO_USER), principal_id=control_plane.principal_id),
    )
    private_versioned = private_key.properties.key_uri_with_version
    error = refused("BadRequest", clusters.managed_clusters.begin_create_or_update, GROUP, "contract-aks", cluster_model(private_versioned))
    assert "public network access disabled" in error.message, error.message
    error = refused(
        "BadRequest", clusters.managed_clusters.begin_create_or_update, GROUP, "contract-aks", cluster_model(private_versioned, "Private")
    )
    assert error.error.message == "KeyVault resource ID is empty when KeyVault network access is Private.", error.message

    # The cluster, with the private vault's key, as the provider builds it.
    preview = ContainerServiceClient(CRED, SUB, api_version="2023-01-02-preview", **ARM)
    refused("NoRegisteredProviderFound", preview.managed_clusters.get, GROUP, "contract-aks")
    cluster = clusters.managed_clusters.begin_create_or_update(
        GROUP, "contract-aks", cluster_model(private_versioned, "Private", private.id)
    ).result()
    assert cluster.provisioning_state == "Succeeded", cluster.provisioning_state
    assert cluster.oidc_issuer_profile.issuer_url, cluster.oidc_issuer_profile
    assert cluster.identity_profile["kubeletidentity"].object_id
    assert cluster.private_fqdn and not cluster.fqdn

    refused(
        "InvalidParameter",
        clusters.agent_pools.begin_create_or_update,
        GROUP,
        "contract-aks",
        "gpu",
        aks.AgentPool(count=1, vm_size="Standard_NC24ads_A100_v4", mode="User", scale_set_priority="Cheap"),
    )
    refused(
        "InvalidParameter",
        clusters.agent_pools.begin_create_or_update,
        GROUP,
        "contract-aks",
        "GPU_pool",
        aks.AgentPool(count=1, vm_size="Standard_NC24ads_A100_v4", mode="User"),
    )
    # A long-running operation made to fail ends Failed through the SDK's poller; the
    # next PUT repairs the pool.
    admin("PUT", "/settings/azure", {"fail_operations": [{"operation": "agentPools.put", "code": "QuotaExceeded", "message": "no A100 left"}]})
    refused("QuotaExceeded", clusters.agent_pools.begin_create_or_update, GROUP, "contract-aks", "gpu", gpu_pool())
    assert clusters.agent_pools.get(GROUP, "contract-aks", "gpu").provisioning_state == "Failed"
    # A throttled PUT is retried by the SDK after Retry-After.
    admin("POST", "/faults", {"part": "azure", "operation": "agentPools.put", "action": {"throttle": {"retry_after_seconds": 1}}})
    pool = clusters.agent_pools.begin_create_or_update(GROUP, "contract-aks", "gpu", gpu_pool()).result()
    assert admin("GET", "/faults")[0]["fired"] == 1
    assert pool.provisioning_state == "Succeeded"
    assert "kubernetes.azure.com/scalesetpriority=spot:NoSchedule" in pool.node_taints, pool.node_taints
    assert pool.gpu_profile.driver == "Install"

    # What mlcloud's upgrades, GPU driver setting and cluster admins rely on.
    ahead = gpu_pool()
    ahead.orchestrator_version = "1.34"
    refused("NodePoolMcVersionIncompatible", clusters.agent_pools.begin_create_or_update, GROUP, "contract-aks", "gpu", ahead)
    cpu = aks.AgentPool(count=1, vm_size="Standard_D4ds_v5", mode="User", gpu_profile=aks.GPUProfile(driver="None"))
    refused("InvalidParameter", clusters.agent_pools.begin_create_or_update, GROUP, "contract-aks", "cpu", cpu)
    upgraded = clusters.managed_clusters.begin_create_or_update(
        GROUP, "contract-aks", cluster_model(private_versioned, "Private", private.id, version="1.34")
    ).result()
    assert upgraded.kubernetes_version == "1.34", upgraded.kubernetes_version
    assert upgraded.current_kubernetes_version.startswith("1.34."), upgraded.current_kubernetes_version
    pool = clusters.agent_pools.begin_create_or_update(GROUP, "contract-aks", "gpu", ahead).result()
    assert pool.orchestrator_version == "1.34" and pool.current_orchestrator_version.startswith("1.34."), pool
    # No principalType (the SDK's model defaults it to User; None leaves it out): ARM
    # looks the principal (here the caller) up.
    cluster_admin = authorization.role_assignments.create(
        cluster.id,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(role_definition_id=role_definition(AKS_RBAC_CLUSTER_ADMIN), principal_id=AZ["object_id"], principal_type=None),
    )
    assert cluster_admin.principal_type, cluster_admin
    at_cluster = [a.name for a in authorization.role_assignments.list_for_scope(cluster.id, filter="atScope()") if a.scope.lower() == cluster.id.lower()]
    assert at_cluster == [cluster_admin.name], at_cluster
    refused(
        "PrincipalNotFound",
        authorization.role_assignments.create,
        cluster.id,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(role_definition_id=role_definition(AKS_RBAC_CLUSTER_ADMIN), principal_id=str(uuid.uuid4()), principal_type=None),
    )
    # A private vault's data plane answers only over its private endpoint.
    private_keys = KeyClient(private.properties.vault_uri, CRED, verify_challenge_resource=False, connection_verify=CA)
    try:
        private_keys.get_key_rotation_policy("etcd")
        raise AssertionError("a private vault answered from outside its private endpoint")
    except HttpResponseError as error:
        assert error.status_code == 403 and "ForbiddenByConnection" in str(error), str(error)
    names = sorted(p.name for p in clusters.agent_pools.list(GROUP, "contract-aks"))
    assert names == ["gpu", "system"], names
    profiles = sorted(p.name for p in clusters.managed_clusters.get(GROUP, "contract-aks").agent_pool_profiles)
    assert profiles == ["gpu", "system"], profiles
    credentials = clusters.managed_clusters.list_cluster_user_credentials(GROUP, "contract-aks")
    kubeconfig = credentials.kubeconfigs[0].value
    if isinstance(kubeconfig, str):
        kubeconfig = base64.b64decode(kubeconfig)
    assert b"server: https://" in kubeconfig and b"kubelogin" in kubeconfig, kubeconfig
    refused("BadRequest", clusters.managed_clusters.list_cluster_admin_credentials, GROUP, "contract-aks")

    # Everything goes, through the SDKs' own pollers.
    clusters.agent_pools.begin_delete(GROUP, "contract-aks", "gpu").result()
    clusters.managed_clusters.begin_delete(GROUP, "contract-aks").result()
    for name in ["fic-a", "fic-b"]:
        identities.federated_identity_credentials.delete(GROUP, "contract-wl", name)
    for assignment in authorization.role_assignments.list_for_subscription():
        authorization.role_assignments.delete_by_id(assignment.id)
    for name in ["contract-cp", "contract-wl"]:
        identities.user_assigned_identities.delete(GROUP, name)
    vaults.vaults.delete(GROUP, "contract-kv")
    vaults.vaults.delete(GROUP, "contract-private")
    deleted = vaults.vaults.get_deleted("contract-kv", LOCATION)
    assert deleted.properties.vault_id == vault.id
    vaults.vaults.begin_purge_deleted("contract-kv", LOCATION).result()
    refused("ConflictError", lambda: vaults.vaults.begin_purge_deleted("contract-private", LOCATION).result())
    resources.resource_groups.begin_delete(GROUP).result()
    records = admin("GET", "/records")["azure"]
    for kind in ["managed_clusters", "agent_pools", "vaults", "keys", "identities", "federated_identity_credentials", "role_assignments"]:
        assert records[kind] == [], (kind, records[kind])
    assert records["deleted_vaults"] == [{"name": "contract-private", "purge_protection": True}], records["deleted_vaults"]
    print("contract ok")


def gpu_pool():
    """The GPU spot pool the provider makes for an A100 node pool."""
    return aks.AgentPool(
        count=1,
        vm_size="Standard_NC24ads_A100_v4",
        mode="User",
        gpu_profile=aks.GPUProfile(driver="Install"),
        scale_set_priority="Spot",
        scale_set_eviction_policy="Delete",
        node_taints=["nvidia.com/gpu=present:NoSchedule"],
        node_labels={"mlcloud.dev/accelerator": "a100"},
        enable_auto_scaling=True,
        min_count=0,
        max_count=2,
    )


def _try(call, *args):
    try:
        call(*args)
        return "ok"
    except HttpResponseError as error:
        return error.error.code if error.error else str(error)


if __name__ == "__main__":
    main()
