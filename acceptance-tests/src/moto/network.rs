//! A VPC with two subnets in two zones and a security group: what an EKS cluster
//! needs to be given, created in moto so clusters get real subnet ids.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};

use super::error::MotoError;
use super::sdk::MotoSdk;

const VPC_CIDR: &str = "10.42.0.0/16";
const SUBNETS: [(&str, &str); 2] = [
    ("10.42.1.0/24", "us-east-1a"),
    ("10.42.2.0/24", "us-east-1b"),
];
const NAME: &str = "mlcloud-acceptance";

#[derive(Clone, Debug)]
pub struct Network {
    pub vpc_id: String,
    /// Two subnets, in different availability zones (EKS asks for two).
    pub subnet_ids: Vec<String>,
    pub security_group_id: String,
}

impl MotoSdk {
    pub fn create_network(&self) -> Result<Network, MotoError> {
        let vpc = self.call(
            "ec2 CreateVpc",
            self.ec2
                .create_vpc()
                .cidr_block(VPC_CIDR)
                .tag_specifications(named(ResourceType::Vpc))
                .send(),
        )?;
        let vpc_id = required(vpc.vpc().and_then(|vpc| vpc.vpc_id()), "CreateVpc", "VpcId")?;
        let mut subnet_ids = Vec::new();
        for (cidr, zone) in SUBNETS {
            let subnet = self.call(
                "ec2 CreateSubnet",
                self.ec2
                    .create_subnet()
                    .vpc_id(&vpc_id)
                    .cidr_block(cidr)
                    .availability_zone(zone)
                    .send(),
            )?;
            subnet_ids.push(required(
                subnet.subnet().and_then(|subnet| subnet.subnet_id()),
                "CreateSubnet",
                "SubnetId",
            )?);
        }
        let group = self.call(
            "ec2 CreateSecurityGroup",
            self.ec2
                .create_security_group()
                .vpc_id(&vpc_id)
                .group_name(NAME)
                .description("mlcloud acceptance tests")
                .send(),
        )?;
        let security_group_id = required(group.group_id(), "CreateSecurityGroup", "GroupId")?;
        Ok(Network {
            vpc_id,
            subnet_ids,
            security_group_id,
        })
    }
}

fn named(resource: ResourceType) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource)
        .tags(Tag::builder().key("Name").value(NAME).build())
        .build()
}

fn required(value: Option<&str>, call: &str, field: &str) -> Result<String, MotoError> {
    value.map(str::to_owned).ok_or_else(|| MotoError::Sdk {
        call: format!("ec2 {call}"),
        message: format!("the answer has no {field}"),
    })
}
