//! A kubeconfig for one cluster with the token inline: no exec plugin, so it works on a
//! runner without the cloud's CLI, and it expires with the token.

use super::{ClusterConnection, KubeError, ServerTrust};
use base64::Engine;

/// A YAML string is written as a JSON string: JSON's double-quoted strings are
/// YAML's, so nothing a value holds can break the document.
fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The kubeconfig (YAML) of `connection`, its cluster, context and user all named
/// `name`. Behind an `endpoints { kubernetes }` override the CA is the cloud block's
/// `ca_certificate_file` (none: the system's roots), not the cluster's.
pub fn kubeconfig(name: &str, connection: &ClusterConnection) -> Result<String, KubeError> {
    let ca = match &connection.trust {
        ServerTrust::ClusterCa if connection.ca_pem.trim().is_empty() => None,
        ServerTrust::ClusterCa => Some(connection.ca_pem.trim().to_string()),
        ServerTrust::SystemRoots {
            extra_ca_file: None,
        } => None,
        ServerTrust::SystemRoots {
            extra_ca_file: Some(path),
        } => {
            // Read and checked, so a kubeconfig never names a CA that is not there.
            super::client::ca_file_certificates(path)?;
            let pem = std::fs::read(path).map_err(|e| KubeError::CaFile {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Some(base64::engine::general_purpose::STANDARD.encode(pem))
        }
    };
    let name = quoted(name);
    let ca_line = ca
        .map(|ca| format!("    certificate-authority-data: {}\n", quoted(&ca)))
        .unwrap_or_default();
    Ok(format!(
        "apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: {name}\n  \
           cluster:\n    \
             server: {server}\n\
         {ca_line}\
         users:\n\
         - name: {name}\n  \
           user:\n    \
             token: {token}\n\
         contexts:\n\
         - name: {name}\n  \
           context:\n    \
             cluster: {name}\n    \
             user: {name}\n\
         current-context: {name}\n",
        server = quoted(&connection.server_url),
        token = quoted(&connection.token),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::kube::config::Kubeconfig;
    use secrecy::ExposeSecret;
    use std::time::SystemTime;

    fn connection(trust: ServerTrust) -> ClusterConnection {
        ClusterConnection {
            server_url: "https://ABC.gr7.us-east-1.eks.amazonaws.com".into(),
            ca_pem: "TFMwdA==".into(),
            token: "k8s-aws-v1.aHR0cHM6Ly9zdHM".into(),
            expires_at: SystemTime::now(),
            trust,
        }
    }

    #[test]
    fn a_kubeconfig_has_the_token_inline_and_the_clusters_ca() {
        let text = kubeconfig("ml-main", &connection(ServerTrust::ClusterCa)).unwrap();
        let parsed = Kubeconfig::from_yaml(&text).expect(&text);
        assert_eq!(parsed.current_context.as_deref(), Some("ml-main"));
        let cluster = parsed.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(
            cluster.server.as_deref(),
            Some("https://ABC.gr7.us-east-1.eks.amazonaws.com")
        );
        assert_eq!(
            cluster.certificate_authority_data.as_deref(),
            Some("TFMwdA==")
        );
        let user = parsed.auth_infos[0].auth_info.as_ref().unwrap();
        assert_eq!(
            user.token.as_ref().map(|t| t.expose_secret().to_string()),
            Some("k8s-aws-v1.aHR0cHM6Ly9zdHM".into())
        );
        assert!(user.exec.is_none());
        let context = parsed.contexts[0].context.as_ref().unwrap();
        assert_eq!(
            (context.cluster.as_str(), context.user.as_deref()),
            ("ml-main", Some("ml-main"))
        );
    }

    #[test]
    fn behind_an_override_the_ca_is_the_extra_file_or_none() {
        let text = kubeconfig(
            "ml",
            &connection(ServerTrust::SystemRoots {
                extra_ca_file: None,
            }),
        )
        .unwrap();
        let parsed = Kubeconfig::from_yaml(&text).expect(&text);
        let cluster = parsed.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(cluster.certificate_authority_data, None);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::new(vec!["ca.test".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem();
        std::fs::write(&path, &pem).unwrap();
        let trust = ServerTrust::SystemRoots {
            extra_ca_file: Some(path.display().to_string()),
        };
        let text = kubeconfig("ml", &connection(trust)).unwrap();
        let parsed = Kubeconfig::from_yaml(&text).expect(&text);
        let ca = parsed.clusters[0]
            .cluster
            .as_ref()
            .unwrap()
            .certificate_authority_data
            .clone()
            .unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(ca)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), pem);
    }

    #[test]
    fn values_that_look_like_yaml_stay_strings() {
        let mut c = connection(ServerTrust::ClusterCa);
        c.token = "a: b\n- c # d".into();
        let text = kubeconfig("x: y", &c).unwrap();
        let parsed = Kubeconfig::from_yaml(&text).expect(&text);
        assert_eq!(parsed.current_context.as_deref(), Some("x: y"));
        let user = parsed.auth_infos[0].auth_info.as_ref().unwrap();
        assert_eq!(
            user.token.as_ref().map(|t| t.expose_secret().to_string()),
            Some("a: b\n- c # d".into())
        );
    }
}
