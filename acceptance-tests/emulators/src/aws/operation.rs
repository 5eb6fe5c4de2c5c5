//! Which AWS service a request is for and which operation it asks for, in the API's
//! own words (`CreateKey`, `CreateRole`, `CreateNodegroup`): what fault rules match on
//! and the request log shows.
//!
//! The service comes from the SigV4 credential scope
//! (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`), since every service shares the
//! one endpoint; the operation from the service's protocol: awsJson's `X-Amz-Target`
//! (KMS), the query protocol's `Action` field (IAM, STS, EC2), or method and path
//! (EKS, REST-JSON).

use bytes::Bytes;
use http::Request;

use super::eks_routes::EksRoute;
use super::encoding::form_value;

/// The signing scope of a request: who it was signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub access_key: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl Scope {
    /// The scope of a SigV4 `Authorization` header, if the request has one.
    pub fn of(request: &Request<Bytes>) -> Option<Scope> {
        let header = request.headers().get("authorization")?.to_str().ok()?;
        let credential = header
            .split([' ', ','])
            .find_map(|part| part.trim().strip_prefix("Credential="))?;
        let mut parts = credential.split('/');
        Some(Scope {
            access_key: parts.next()?.to_string(),
            date: parts.next()?.to_string(),
            region: parts.next()?.to_string(),
            service: parts.next()?.to_string(),
        })
    }

    /// An `Authorization` header with this scope for another service, for the aws
    /// part's own calls to moto (moto routes by the scope and does not check
    /// signatures).
    pub fn authorization_for(&self, service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{}/{}/{service}/aws4_request, \
             SignedHeaders=host, Signature=0",
            self.access_key, self.date, self.region
        )
    }
}

/// The service a request is for: the credential scope's, `eks` / `kms` / `iam` /
/// `sts` / `ec2` ...
pub fn service(request: &Request<Bytes>) -> Option<String> {
    Scope::of(request).map(|scope| scope.service)
}

/// The operation a request asks for, by its service's protocol.
pub fn operation(request: &Request<Bytes>) -> Option<String> {
    if service(request).as_deref() == Some("eks") {
        return EksRoute::parse(request.method(), request.uri().path())
            .map(|route| route.operation().to_string());
    }
    if let Some(target) = request
        .headers()
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
    {
        // `TrentService.CreateKey`
        return target.rsplit('.').next().map(str::to_string);
    }
    let body = std::str::from_utf8(request.body()).unwrap_or_default();
    form_value(body, "Action").or_else(|| {
        request
            .uri()
            .query()
            .and_then(|query| form_value(query, "Action"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(service: &str) -> http::request::Builder {
        Request::builder().header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/{service}/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc"
            ),
        )
    }

    #[test]
    fn the_service_is_the_credential_scope() {
        let request = signed("kms").uri("/").body(Bytes::new()).unwrap();
        let scope = Scope::of(&request).unwrap();
        assert_eq!(scope.service, "kms");
        assert_eq!(scope.region, "us-east-1");
        assert_eq!(scope.access_key, "testing");
        assert!(
            scope
                .authorization_for("sts")
                .contains("/us-east-1/sts/aws4_request")
        );
        let unsigned = Request::builder().uri("/").body(Bytes::new()).unwrap();
        assert_eq!(service(&unsigned), None);
    }

    #[test]
    fn kms_names_the_target() {
        let request = signed("kms")
            .method("POST")
            .uri("/")
            .header("x-amz-target", "TrentService.CreateKey")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        assert_eq!(operation(&request).as_deref(), Some("CreateKey"));
    }

    #[test]
    fn query_protocols_name_the_action_field() {
        let request = signed("iam")
            .method("POST")
            .uri("/")
            .body(Bytes::from_static(
                b"Action=CreateRole&Version=2010-05-08&RoleName=r",
            ))
            .unwrap();
        assert_eq!(operation(&request).as_deref(), Some("CreateRole"));
        let in_query = signed("ec2")
            .method("GET")
            .uri("/?Action=DescribeVpcs&Version=2016-11-15")
            .body(Bytes::new())
            .unwrap();
        assert_eq!(operation(&in_query).as_deref(), Some("DescribeVpcs"));
    }

    #[test]
    fn eks_names_method_and_path() {
        let request = signed("eks")
            .method("POST")
            .uri("/clusters/ml/access-entries")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        assert_eq!(operation(&request).as_deref(), Some("CreateAccessEntry"));
    }
}
