"""Unit tests of schema_compat on small schemas, both ways: each breaking change is
found (with its path), and the changes that do not break users pass.

Run with `scripts/schema-compat --self-test`."""

import copy
import tempfile
import textwrap
import unittest
from pathlib import Path

import schema_compat
from schema_compat import breaking_changes


def schema() -> dict:
    """A provider schema in the shape Terraform prints, one of each kind."""
    return {
        "provider": {
            "version": 0,
            "block": {
                "attributes": {"default_tags": {"type": ["map", "string"], "optional": True}},
                "block_types": {
                    "aws": {
                        "nesting_mode": "list",
                        "max_items": 1,
                        "block": {"attributes": {"region": {"type": "string", "optional": True}}},
                    }
                },
            },
        },
        "resource_schemas": {
            "mlcloud_cluster": {
                "version": 1,
                "block": {
                    "attributes": {
                        "id": {"type": "string", "computed": True},
                        "name": {"type": "string", "required": True},
                        "logging": {"type": ["set", "string"], "optional": True, "computed": True},
                        "taints": {
                            "nested_type": {
                                "nesting_mode": "set",
                                "attributes": {
                                    "key": {"type": "string", "required": True},
                                    "effect": {"type": "string", "optional": True},
                                },
                            },
                            "optional": True,
                        },
                    },
                    "block_types": {
                        "system_pool": {
                            "nesting_mode": "single",
                            "block": {
                                "attributes": {
                                    "machine_type": {"type": "string", "optional": True},
                                    "node_count": {"type": "number", "optional": True},
                                }
                            },
                        }
                    },
                },
            }
        },
        "data_source_schemas": {
            "mlcloud_accelerators": {"block": {"attributes": {"cloud": {"type": "string", "optional": True}}}}
        },
        "ephemeral_resource_schemas": {
            "mlcloud_cluster_credentials": {"block": {"attributes": {"token": {"type": "string", "computed": True}}}}
        },
        "list_resource_schemas": {
            "mlcloud_cluster": {"block": {"attributes": {"location": {"type": "string", "optional": True}}}}
        },
        "action_schemas": {
            "mlcloud_smoke_test": {"block": {"attributes": {"endpoint_id": {"type": "string", "required": True}}}}
        },
        "resource_identity_schemas": {
            "mlcloud_cluster": {
                "version": 0,
                "attributes": {"id": {"type": "string", "required_for_import": True}},
            }
        },
        "functions": {
            "machine_type": {
                "parameters": [
                    {"name": "cloud", "type": "string"},
                    {"name": "accelerator", "type": "string"},
                    {"name": "count", "type": "number"},
                ],
                "return_type": "string",
            }
        },
    }


def cluster(s: dict) -> dict:
    return s["resource_schemas"]["mlcloud_cluster"]


def attrs(s: dict) -> dict:
    return cluster(s)["block"]["attributes"]


class BreakingChangesAreFound(unittest.TestCase):
    def found(self, change, tests=()) -> list:
        new = copy.deepcopy(schema())
        change(new)
        return breaking_changes(schema(), new, set(tests))

    def assert_one(self, change, path: str, words: str, tests=()):
        found = self.found(change, tests)
        self.assertEqual(len(found), 1, [str(f) for f in found])
        self.assertEqual(found[0].path, path)
        self.assertIn(words, found[0].change)
        self.assertIn("To fix: ", str(found[0]))
        return found[0]

    def test_an_attribute_removed(self):
        b = self.assert_one(lambda s: attrs(s).pop("logging"), "resource mlcloud_cluster.logging", "attribute removed")
        self.assertIn("deprecated", b.remedy)
        self.assertIn("cluster_upgrades_state_from_v1", b.remedy)

    def test_a_block_removed(self):
        self.assert_one(
            lambda s: cluster(s)["block"]["block_types"].pop("system_pool"),
            "resource mlcloud_cluster.system_pool",
            "block removed",
        )

    def test_a_type_changed(self):
        def change(s):
            attrs(s)["logging"]["type"] = ["list", "string"]

        b = self.assert_one(change, "resource mlcloud_cluster.logging", 'from ["set", "string"] to ["list", "string"]')
        self.assertIn("keep the type", b.remedy)

    def test_an_attribute_inside_a_block_changes_type(self):
        def change(s):
            cluster(s)["block"]["block_types"]["system_pool"]["block"]["attributes"]["node_count"]["type"] = "string"

        self.assert_one(change, "resource mlcloud_cluster.system_pool.node_count", "type changed")

    def test_nested_attributes_change_nesting_or_lose_an_attribute(self):
        def nesting(s):
            attrs(s)["taints"]["nested_type"]["nesting_mode"] = "list"

        self.assert_one(nesting, "resource mlcloud_cluster.taints", '"nested attributes": "list"')

        def removed(s):
            attrs(s)["taints"]["nested_type"]["attributes"].pop("effect")

        self.assert_one(removed, "resource mlcloud_cluster.taints.effect", "attribute removed")

    def test_optional_becomes_required(self):
        def change(s):
            a = cluster(s)["block"]["block_types"]["system_pool"]["block"]["attributes"]["machine_type"]
            a.pop("optional")
            a["required"] = True

        self.assert_one(change, "resource mlcloud_cluster.system_pool.machine_type", "optional -> required")

    def test_a_new_required_attribute(self):
        def change(s):
            s["data_source_schemas"]["mlcloud_accelerators"]["block"]["attributes"]["type"] = {
                "type": "string",
                "required": True,
            }

        self.assert_one(change, "data source mlcloud_accelerators.type", "new required attribute")

    def test_computed_becomes_not_computed(self):
        def change(s):
            attrs(s)["logging"].pop("computed")

        self.assert_one(change, "resource mlcloud_cluster.logging", "computed -> not computed")

    def test_a_configurable_attribute_becomes_computed_only(self):
        def change(s):
            attrs(s)["name"] = {"type": "string", "computed": True}

        self.assert_one(change, "resource mlcloud_cluster.name", "required -> computed")

    def test_a_block_changes_nesting_mode(self):
        def change(s):
            cluster(s)["block"]["block_types"]["system_pool"]["nesting_mode"] = "list"

        self.assert_one(change, "resource mlcloud_cluster.system_pool", "from single to list")

    def test_a_block_becomes_required_or_allows_fewer(self):
        def required(s):
            cluster(s)["block"]["block_types"]["system_pool"]["min_items"] = 1

        self.assert_one(required, "resource mlcloud_cluster.system_pool", "min_items raised")

        old, new = schema(), schema()
        old["provider"]["block"]["block_types"]["aws"]["max_items"] = 3
        new["provider"]["block"]["block_types"]["aws"]["max_items"] = 2
        found = breaking_changes(old, new, set())
        self.assertEqual([(f.path, f.change) for f in found], [("provider.aws", "block max_items lowered from 3 to 2")])

    def test_the_provider_block(self):
        def change(s):
            s["provider"]["block"]["block_types"]["aws"]["block"]["attributes"].pop("region")

        b = self.assert_one(change, "provider.aws.region", "attribute removed")
        self.assertNotIn("upgrades_state", b.remedy)

    def test_each_kind_removed(self):
        for key, kind, name in [
            ("resource_schemas", "resource", "mlcloud_cluster"),
            ("data_source_schemas", "data source", "mlcloud_accelerators"),
            ("ephemeral_resource_schemas", "ephemeral resource", "mlcloud_cluster_credentials"),
            ("list_resource_schemas", "list resource", "mlcloud_cluster"),
            ("action_schemas", "action", "mlcloud_smoke_test"),
            ("functions", "function", "machine_type"),
        ]:
            with self.subTest(kind=kind):
                found = self.found(lambda s: s[key].pop(name))
                self.assertEqual([f.path for f in found], [f"{kind} {name}"])
                self.assertIn("removed", found[0].change)

    def test_kinds_other_than_resources_are_compared(self):
        def change(s):
            s["ephemeral_resource_schemas"]["mlcloud_cluster_credentials"]["block"]["attributes"]["token"]["type"] = "number"
            s["list_resource_schemas"]["mlcloud_cluster"]["block"]["attributes"].pop("location")
            s["action_schemas"]["mlcloud_smoke_test"]["block"]["attributes"]["endpoint_id"]["type"] = "number"

        found = self.found(change)
        self.assertEqual(
            sorted(f.path for f in found),
            [
                "action mlcloud_smoke_test.endpoint_id",
                "ephemeral resource mlcloud_cluster_credentials.token",
                "list resource mlcloud_cluster.location",
            ],
        )

    def test_function_signatures(self):
        def param_type(s):
            s["functions"]["machine_type"]["parameters"][2]["type"] = "string"

        self.assert_one(param_type, "function machine_type parameter 3 (count)", "type changed")

        def added(s):
            s["functions"]["machine_type"]["parameters"].append({"name": "zone", "type": "string"})

        self.assert_one(added, "function machine_type", "1 parameter(s) added")

        def removed(s):
            s["functions"]["machine_type"]["parameters"].pop()

        self.assert_one(removed, "function machine_type parameter 3 (count)", "parameter removed")

        def returns(s):
            s["functions"]["machine_type"]["return_type"] = ["list", "string"]

        self.assert_one(returns, "function machine_type", "return type changed")

    def test_an_identity_attribute_removed(self):
        def change(s):
            s["resource_identity_schemas"]["mlcloud_cluster"]["attributes"].pop("id")

        b = self.assert_one(change, "resource identity mlcloud_cluster.id", "attribute removed")
        self.assertIn("cluster_upgrades_identity_from_v0", b.remedy)

    def test_a_schema_version_lowered(self):
        self.assert_one(lambda s: cluster(s).update(version=0), "resource mlcloud_cluster", "version lowered")


def incompatible_cluster(s: dict, version: int):
    attrs(s)["logging"]["type"] = ["list", "string"]
    cluster(s)["version"] = version


class TheVersionBumpException(unittest.TestCase):
    def test_a_version_bump_with_its_upgrade_test_passes(self):
        new = copy.deepcopy(schema())
        incompatible_cluster(new, 2)
        self.assertEqual(breaking_changes(schema(), new, {"cluster_upgrades_state_from_v1"}), [])

    def test_the_tests_are_looked_up_only_when_a_version_rose(self):
        def no_lookup():
            raise AssertionError("no resource changed its version")

        self.assertEqual(breaking_changes(schema(), schema(), no_lookup), [])

    def test_a_version_bump_without_the_test_fails(self):
        new = copy.deepcopy(schema())
        incompatible_cluster(new, 2)
        for tests in [set(), {"cluster_upgrades_state_from_v0"}, {"node_pool_upgrades_state_from_v1"}]:
            with self.subTest(tests=tests):
                found = breaking_changes(schema(), new, tests)
                self.assertEqual([f.path for f in found], ["resource mlcloud_cluster.logging"])

    def test_the_test_without_a_version_bump_fails(self):
        new = copy.deepcopy(schema())
        incompatible_cluster(new, 1)
        found = breaking_changes(schema(), new, {"cluster_upgrades_state_from_v1"})
        self.assertEqual(len(found), 1)

    def test_the_bump_covers_only_its_resource(self):
        new = copy.deepcopy(schema())
        incompatible_cluster(new, 2)
        new["data_source_schemas"]["mlcloud_accelerators"]["block"]["attributes"].pop("cloud")
        found = breaking_changes(schema(), new, {"cluster_upgrades_state_from_v1"})
        self.assertEqual([f.path for f in found], ["data source mlcloud_accelerators.cloud"])

    def test_an_identity_change_with_its_version_and_test_passes(self):
        new = copy.deepcopy(schema())
        identity = new["resource_identity_schemas"]["mlcloud_cluster"]
        identity["attributes"]["id"]["type"] = "number"
        identity["version"] = 1
        self.assertEqual(breaking_changes(schema(), new, {"cluster_upgrades_identity_from_v0"}), [])
        self.assertEqual(len(breaking_changes(schema(), new, {"cluster_upgrades_state_from_v0"})), 1)


class ChangesThatDoNotBreakPass(unittest.TestCase):
    def test_same_schema(self):
        self.assertEqual(breaking_changes(schema(), schema(), set()), [])

    def test_additions_relaxations_and_descriptions(self):
        new = copy.deepcopy(schema())
        attrs(new)["tags"] = {"type": ["map", "string"], "optional": True}
        attrs(new)["status"] = {"type": "string", "computed": True}
        attrs(new)["name"] = {"type": "string", "optional": True, "description": "now optional"}
        attrs(new)["id"]["description"] = "reworded"
        cluster(new)["block"]["block_types"]["timeouts"] = {"nesting_mode": "single", "block": {}}
        new["provider"]["block"]["block_types"]["aws"].pop("max_items")
        new["resource_schemas"]["mlcloud_node_pool"] = {"version": 0, "block": {}}
        new["data_source_schemas"]["mlcloud_cluster"] = {"block": {}}
        new["functions"]["other"] = {"parameters": [], "return_type": "string"}
        new["functions"]["machine_type"]["parameters"][0]["name"] = "cloud_name"
        new["functions"]["machine_type"]["variadic_parameter"] = {"name": "more", "type": "string"}
        cluster(new)["version"] = 2
        self.assertEqual(breaking_changes(schema(), new, set()), [])


class UpgradeTestsAreFoundInRustSources(unittest.TestCase):
    def test_test_functions_and_scenarios(self):
        with tempfile.TemporaryDirectory() as root:
            root = Path(root)
            (root / "provider/tests").mkdir(parents=True)
            (root / "provider/tests/state_upgrade.rs").write_text(
                textwrap.dedent(
                    """\
                    #[test]
                    fn cluster_upgrades_state_from_v1() {}

                    #[tokio::test]
                    async fn node_pool_upgrades_state_from_v0() {}

                    fn kms_key_upgrades_state_from_v0() {} // a helper, not a test
                    """
                )
            )
            (root / "acceptance-tests/tests").mkdir(parents=True)
            (root / "acceptance-tests/tests/upgrade.rs").write_text(
                "acceptance_tests::scenarios_on_terraform_1_15!(identity_upgrades_state_from_v0);\n"
                "fn identity_upgrades_state_from_v0(t: &Terraform) -> TestResult { Ok(()) }\n"
                "acceptance_tests::scenarios_on_every_terraform!(\n    kms_key_upgrades_identity_from_v0,\n);\n"
            )
            (root / "target/debug/build").mkdir(parents=True)
            (root / "target/debug/build/out.rs").write_text("#[test]\nfn serving_endpoint_upgrades_state_from_v0() {}\n")
            found = schema_compat.rust_tests(root)
        self.assertIn("cluster_upgrades_state_from_v1", found)
        self.assertIn("node_pool_upgrades_state_from_v0", found)
        self.assertIn("identity_upgrades_state_from_v0", found)
        self.assertIn("kms_key_upgrades_identity_from_v0", found)
        self.assertNotIn("kms_key_upgrades_state_from_v0", found)
        self.assertNotIn("serving_endpoint_upgrades_state_from_v0", found, "target/ is not the repository")


class SchemaFiles(unittest.TestCase):
    def test_a_file_that_is_not_a_provider_schema_is_refused(self):
        with tempfile.TemporaryDirectory() as root:
            path = Path(root) / "s.json"
            path.write_text('{"format_version": "1.0"}')
            with self.assertRaisesRegex(schema_compat.SchemaError, "provider_schemas"):
                schema_compat.load(path)
            with self.assertRaisesRegex(schema_compat.SchemaError, "does not exist"):
                schema_compat.load(Path(root) / "missing.json")


if __name__ == "__main__":
    unittest.main()
