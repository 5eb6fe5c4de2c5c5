//! The EKS model's rules, without HTTP or moto.

use super::*;

const CREATOR: &str = "arn:aws:iam::123456789012:role/admin";

fn cluster(version: &str) -> ClusterFacts {
    ClusterFacts {
        name: "ml".into(),
        arn: "arn:aws:eks:us-east-1:123456789012:cluster/ml".into(),
        version: version.into(),
    }
}

fn api_cluster(model: &EksModel, bootstrap: bool) -> ClusterFacts {
    let facts = cluster("1.29");
    model.cluster_created(
        &facts,
        &json!({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": bootstrap}),
        Some(CREATOR),
    );
    facts
}

#[test]
fn the_creator_is_bootstrapped_only_when_asked_and_only_with_api_authentication() {
    let model = EksModel::new(Duration::ZERO);
    let facts = api_cluster(&model, true);
    let entries = model.list_access_entries(&facts, None).unwrap();
    assert_eq!(entries["accessEntries"], json!([CREATOR]));
    let policies = model
        .list_associated_access_policies(&facts, CREATOR)
        .unwrap();
    assert_eq!(
        policies["associatedAccessPolicies"][0]["policyArn"],
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    );
    assert_eq!(
        model.describe_access_entry(&facts, CREATOR).unwrap()["accessEntry"]["username"],
        "arn:aws:sts::123456789012:assumed-role/admin/{{SessionName}}"
    );

    let model = EksModel::new(Duration::ZERO);
    let facts = api_cluster(&model, false);
    assert_eq!(
        model.list_access_entries(&facts, None).unwrap()["accessEntries"],
        json!([])
    );

    // EKS's default is CONFIG_MAP, where access entries cannot be used at all.
    let model = EksModel::new(Duration::ZERO);
    model.cluster_created(&cluster("1.29"), &Value::Null, Some(CREATOR));
    let refused = model
        .list_access_entries(&cluster("1.29"), None)
        .unwrap_err();
    assert_eq!(refused.code, "InvalidRequestException");
    let mut described = json!({"name": "ml", "status": "ACTIVE"});
    model.overlay_cluster(&mut described);
    assert_eq!(
        described["accessConfig"],
        json!({"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": true})
    );
}

#[test]
fn access_entries_refuse_what_eks_refuses() {
    let model = EksModel::new(Duration::ZERO);
    let facts = api_cluster(&model, false);
    let principal = "arn:aws:iam::123456789012:role/ops";
    let created = model
        .create_access_entry(&facts, &json!({"principalArn": principal}))
        .unwrap();
    assert_eq!(created["accessEntry"]["type"], "STANDARD");
    assert!(
        created["accessEntry"]["accessEntryArn"]
            .as_str()
            .unwrap()
            .starts_with(
                "arn:aws:eks:us-east-1:123456789012:access-entry/ml/role/123456789012/ops/"
            )
    );
    let again = model
        .create_access_entry(&facts, &json!({"principalArn": principal}))
        .unwrap_err();
    assert_eq!(
        (again.status.as_u16(), again.code.as_str()),
        (409, "ResourceInUseException")
    );
    let system = model
        .create_access_entry(
            &facts,
            &json!({"principalArn": "arn:aws:iam::123456789012:user/u", "kubernetesGroups": ["system:masters"]}),
        )
        .unwrap_err();
    assert_eq!(system.code, "InvalidParameterException");
    let bad_arn = model
        .create_access_entry(&facts, &json!({"principalArn": "arn:aws:s3:::bucket"}))
        .unwrap_err();
    assert_eq!(bad_arn.code, "InvalidParameterException");

    let unknown_policy = model
        .associate_access_policy(
            &facts,
            principal,
            &json!({"policyArn": "arn:aws:eks::aws:cluster-access-policy/Root", "accessScope": {"type": "cluster"}}),
        )
        .unwrap_err();
    assert_eq!(unknown_policy.code, "ResourceNotFoundException");
    let no_namespaces = model
        .associate_access_policy(
            &facts,
            principal,
            &json!({"policyArn": policy_arn("AmazonEKSViewPolicy"), "accessScope": {"type": "namespace"}}),
        )
        .unwrap_err();
    assert_eq!(no_namespaces.code, "InvalidParameterException");
    model
        .associate_access_policy(
            &facts,
            principal,
            &json!({"policyArn": policy_arn("AmazonEKSViewPolicy"), "accessScope": {"type": "namespace", "namespaces": ["ml"]}}),
        )
        .unwrap();
    let with_policy = model
        .list_access_entries(&facts, Some(&policy_arn("AmazonEKSViewPolicy")))
        .unwrap();
    assert_eq!(with_policy["accessEntries"], json!([principal]));
    model
        .disassociate_access_policy(&facts, principal, &policy_arn("AmazonEKSViewPolicy"))
        .unwrap();
    model.delete_access_entry(&facts, principal).unwrap();
    let gone = model.describe_access_entry(&facts, principal).unwrap_err();
    assert_eq!(
        (gone.status.as_u16(), gone.code.as_str()),
        (404, "ResourceNotFoundException")
    );
}

#[test]
fn versions_move_one_minor_at_a_time_and_node_groups_follow() {
    let model = EksModel::new(Duration::ZERO);
    let facts = api_cluster(&model, false);
    let skip = model
        .update_cluster_version(&facts, "1.31", &[])
        .unwrap_err();
    assert_eq!(skip.code, "InvalidParameterException");
    assert!(
        skip.message.contains("from 1.29 to 1.31"),
        "{}",
        skip.message
    );
    let same = model
        .update_cluster_version(&facts, "1.29", &[])
        .unwrap_err();
    assert_eq!(same.code, "InvalidParameterException");

    let update = model
        .update_cluster_version(&facts, "1.30", &[("system".into(), "1.29".into())])
        .unwrap();
    assert_eq!(update["status"], "InProgress");
    assert_eq!(update["type"], "VersionUpdate");
    let id = update["id"].as_str().unwrap();
    let described = model.describe_update("ml", None, id).unwrap();
    assert_eq!(described["update"]["status"], "Successful");
    assert_eq!(
        model
            .describe_update("ml", Some("system"), id)
            .unwrap_err()
            .code,
        "ResourceNotFoundException",
        "a cluster update is not the node group's"
    );
    assert_eq!(model.cluster_version(&facts), "1.30");

    // A node group may not be newer than its cluster, nor the cluster move on while
    // a node group lags behind it.
    model.nodegroup_created("ml", "system", "1.29");
    let too_new = model
        .update_nodegroup_version(&facts, "system", Some("1.31"), None)
        .unwrap_err();
    assert_eq!(too_new.code, "InvalidParameterException");
    let behind = model
        .update_cluster_version(&facts, "1.31", &[("system".into(), "1.29".into())])
        .unwrap_err();
    assert_eq!(behind.code, "InvalidRequestException");
    let update = model
        .update_nodegroup_version(&facts, "system", None, None)
        .unwrap();
    assert_eq!(
        update["params"][0],
        json!({"type": "Version", "value": "1.30"})
    );
    let mut nodegroup = json!({"nodegroupName": "system", "version": "1.19", "status": "ACTIVE"});
    model.overlay_nodegroup("ml", &mut nodegroup);
    assert_eq!(nodegroup["version"], "1.30");

    model.cluster_deleted("ml");
    assert_eq!(model.records()["updates"], json!([]));
    assert_eq!(model.records()["clusters"], json!({}));
}

#[test]
fn updates_stay_in_progress_for_the_operation_delay() {
    let model = EksModel::new(Duration::from_secs(3600));
    let facts = api_cluster(&model, false);
    let update = model.update_cluster_version(&facts, "1.30", &[]).unwrap();
    let id = update["id"].as_str().unwrap();
    assert_eq!(
        model.describe_update("ml", None, id).unwrap()["update"]["status"],
        "InProgress"
    );
    let mut described = json!({"name": "ml", "version": "1.29", "status": "ACTIVE"});
    model.overlay_cluster(&mut described);
    assert_eq!(
        (described["version"].as_str(), described["status"].as_str()),
        (Some("1.29"), Some("UPDATING")),
        "the old version until the update succeeds"
    );
    let busy = model
        .update_cluster_version(&facts, "1.30", &[])
        .unwrap_err();
    assert_eq!(busy.code, "ResourceInUseException");
    assert_eq!(
        model.check_not_updating("ml", None).unwrap_err().code,
        "ResourceInUseException"
    );
}

#[test]
fn authentication_moves_only_towards_api() {
    let model = EksModel::new(Duration::ZERO);
    let facts = cluster("1.29");
    model.cluster_created(
        &facts,
        &json!({"authenticationMode": "API_AND_CONFIG_MAP"}),
        None,
    );
    let back = model
        .update_access_config(&facts, &json!({"authenticationMode": "CONFIG_MAP"}))
        .unwrap_err();
    assert_eq!(back.code, "InvalidParameterException");
    let update = model
        .update_access_config(&facts, &json!({"authenticationMode": "API"}))
        .unwrap();
    assert_eq!(update["type"], "AccessConfigUpdate");
    assert_eq!(
        model.records()["clusters"]["ml"]["accessConfig"]["authenticationMode"],
        "API"
    );
}

#[test]
fn pod_identity_associations_are_one_per_service_account() {
    let model = EksModel::new(Duration::ZERO);
    let facts = api_cluster(&model, false);
    let body = json!({"namespace": "ml", "serviceAccount": "trainer", "roleArn": "arn:aws:iam::123456789012:role/trainer"});
    let created = model.create_pod_identity(&facts, &body).unwrap();
    let id = created["association"]["associationId"].as_str().unwrap();
    assert!(id.starts_with("a-") && id.len() == 19, "{id}");
    assert_eq!(
        model.create_pod_identity(&facts, &body).unwrap_err().code,
        "ResourceInUseException"
    );
    let listed = model.list_pod_identities(&facts, Some("ml"), None).unwrap();
    assert_eq!(listed["associations"][0]["associationId"], id);
    model.delete_pod_identity(&facts, id).unwrap();
    assert_eq!(
        model.describe_pod_identity(&facts, id).unwrap_err().code,
        "ResourceNotFoundException"
    );
}
