# A small module of your own, as docs/guides/offline-testing.md tests it: a Cloud KMS
# key for a team's data, and a service account that may decrypt with it and nothing
# else. Its tests/offline.tftest.hcl runs against mlcloud-emulator; the CI examples
# beside it (../github-actions.yml, ../gitlab-ci.yml) run that test in a pipeline.
resource "mlcloud_kms_key" "data" {
  cloud                = "gcp"
  name                 = "${var.name}-data"
  rotation_period_days = 90
}

resource "mlcloud_identity" "reader" {
  cloud   = "gcp"
  name    = "${var.name}-reader"
  purpose = "node"

  grants = [{ action = "kms_decrypt", target = mlcloud_kms_key.data.key_ref }]
}
