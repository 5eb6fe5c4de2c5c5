"""CKV_MLCLOUD_10: the mlcloud provider block holds no secret written in the code."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck

from mlcloud_values import UNRESOLVED, block, resolve

# The provider's sensitive settings, per cloud block (docs/index.md). A literal here,
# or a variable default checkov substitutes, is a credential in version control.
SECRETS = {
    "aws": ("access_key", "secret_key", "token"),
    "azure": ("client_secret", "oidc_token"),
    "gcp": ("access_token", "credentials"),
}
NESTED_SECRETS = {("aws", "assume_role"): ("external_id",)}


def _literal_secret(cloud_block, name):
    value = cloud_block.get(name)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    value = resolve(value)
    if value is None or value is UNRESOLVED or not isinstance(value, str) or not value.strip():
        return False
    if name == "credentials":
        # gcp credentials are a JSON document or the path of one; only the contents are a secret.
        return value.lstrip().startswith("{")
    return True


class ProviderNoPlaintextSecrets(BaseProviderCheck):
    def __init__(self):
        super().__init__(
            name="mlcloud provider block holds no literal secret (access keys, client secrets, tokens, credentials "
            "JSON, also as variable defaults): a secret in code is readable by everyone with the repository and "
            "stays in its history",
            id="CKV_MLCLOUD_10",
            categories=(CheckCategories.SECRETS,),
            supported_provider=("mlcloud",),
        )

    def scan_provider_conf(self, conf):
        for cloud, names in SECRETS.items():
            cloud_block = block(conf, cloud)
            if cloud_block is None:
                continue
            if any(_literal_secret(cloud_block, n) for n in names):
                return CheckResult.FAILED
            for (parent, child), nested in NESTED_SECRETS.items():
                inner = block(cloud_block, child) if parent == cloud else None
                if inner is not None and any(_literal_secret(inner, n) for n in nested):
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = ProviderNoPlaintextSecrets()
