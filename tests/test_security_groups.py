"""Security groups through a genuine client: each VPC's default group, rules, the groups interfaces and instances
name, and EC2's errors (code, message, status, nothing changed)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from .conftest import AMI, ec2_error, new_eni

SSH = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ops"}]}


def group(ec2: Any, group_id: str) -> Dict[str, Any]:
    found: Dict[str, Any] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return found


def new_group(ec2: Any, vpc_id: str, name: str = "web") -> str:
    return str(ec2.create_security_group(GroupName=name, Description=f"{name} servers", VpcId=vpc_id)["GroupId"])


def test_every_vpc_has_a_default_group_with_aws_default_rules(ec2: Any, vpc_id: str) -> None:
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    assert [g["GroupName"] for g in found] == ["default"]
    default = found[0]
    assert default["Description"] == "default VPC security group"
    assert default["IpPermissions"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": default["GroupId"], "UserId": "123456789012"}],
        }
    ]
    assert default["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    # the region's default VPC has one too
    defaults = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert len(defaults) == 2


def test_create_describe_and_delete_a_group(ec2: Any, vpc_id: str) -> None:
    created = ec2.create_security_group(
        GroupName="web",
        Description="web servers",
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "tier", "Value": "front"}]}],
    )
    assert created["Tags"] == [{"Key": "tier", "Value": "front"}]
    found = group(ec2, created["GroupId"])
    assert (found["GroupName"], found["Description"], found["VpcId"]) == ("web", "web servers", vpc_id)
    assert found["IpPermissions"] == []
    assert found["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]  # a new group may send anywhere
    by_tag = ec2.describe_security_groups(Filters=[{"Name": "tag:tier", "Values": ["front"]}])["SecurityGroups"]
    assert [g["GroupId"] for g in by_tag] == [created["GroupId"]]
    assert ec2.delete_security_group(GroupId=created["GroupId"])["Return"] is True
    with ec2_error("InvalidGroup.NotFound", f"The security group '{created['GroupId']}' does not exist"):
        group(ec2, created["GroupId"])


def test_group_names_are_unique_per_vpc_and_default_is_reserved(ec2: Any, vpc_id: str) -> None:
    new_group(ec2, vpc_id)
    new_group(ec2, ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"])  # the same name in another VPC is fine
    with ec2_error(
        "InvalidGroup.Duplicate", f"The security group 'web' already exists for VPC '{vpc_id}'", unchanged=ec2
    ):
        new_group(ec2, vpc_id)
    with ec2_error("InvalidGroup.Reserved", "The security group 'default' is reserved", unchanged=ec2):
        new_group(ec2, vpc_id, "default")
    with ec2_error("InvalidParameterValue", contains="Group names may not be in the format sg-*", unchanged=ec2):
        new_group(ec2, vpc_id, "sg-web")
    with ec2_error("MissingParameter", unchanged=ec2):
        ec2.create_security_group(GroupName="x", Description="", VpcId=vpc_id)
    with ec2_error("InvalidVpcID.NotFound", unchanged=ec2):
        ec2.create_security_group(GroupName="x", Description="x", VpcId="vpc-0123456789abcdef0")


def test_a_group_without_vpc_goes_to_the_default_vpc_and_is_found_by_name(ec2: Any) -> None:
    group_id = ec2.create_security_group(GroupName="legacy", Description="by name")["GroupId"]
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    assert ec2.describe_security_groups(GroupNames=["legacy"])["SecurityGroups"][0]["VpcId"] == default_vpc
    with ec2_error("InvalidGroup.NotFound", f"The security group 'nope' does not exist in default VPC '{default_vpc}'"):
        ec2.describe_security_groups(GroupNames=["nope"])
    ec2.delete_security_group(GroupName="legacy")
    assert ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroups"] == []


def test_malformed_and_unknown_group_ids(ec2: Any) -> None:
    with ec2_error("InvalidGroupId.Malformed", 'Invalid id: "nonsense" (expecting "sg-...")'):
        ec2.describe_security_groups(GroupIds=["nonsense"])
    with ec2_error("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"):
        ec2.delete_security_group(GroupId="sg-0123456789abcdef0")


def test_authorize_and_revoke_rules_of_every_peer_kind(ec2: Any, vpc_id: str) -> None:
    web, lb = new_group(ec2, vpc_id), new_group(ec2, vpc_id, "lb")
    s3 = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])
    s3_list = s3["PrefixLists"][0]["PrefixListId"]
    added = ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            SSH,
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": lb}],
                "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
            },
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "PrefixListIds": [{"PrefixListId": s3_list}]},
        ],
    )
    rules: List[Dict[str, Any]] = added["SecurityGroupRules"]
    assert added["Return"] is True and len(rules) == 4
    assert {(r["IpProtocol"], r["FromPort"], r["IsEgress"]) for r in rules} == {
        ("tcp", 22, False),
        ("tcp", 443, False),
        ("icmp", 8, False),
    }
    assert rules[0]["CidrIpv4"] == "10.0.0.0/8" and rules[0]["Description"] == "ops"
    permissions = group(ec2, web)["IpPermissions"]
    https = next(p for p in permissions if p.get("FromPort") == 443)
    assert https["UserIdGroupPairs"] == [{"GroupId": lb, "UserId": "123456789012"}]
    assert https["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/32"}]
    listed = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [web]}])["SecurityGroupRules"]
    assert len(listed) == 5  # four inbound and the default outbound rule
    by_cidr = ec2.describe_security_groups(Filters=[{"Name": "ip-permission.cidr", "Values": ["10.0.0.0/8"]}])
    assert [g["GroupId"] for g in by_cidr["SecurityGroups"]] == [web]
    ec2.revoke_security_group_ingress(GroupId=web, IpPermissions=[SSH])
    revoked = ec2.revoke_security_group_ingress(GroupId=web, SecurityGroupRuleIds=[rules[3]["SecurityGroupRuleId"]])
    assert revoked["RevokedSecurityGroupRules"][0]["PrefixListId"] == s3_list
    assert [p["FromPort"] for p in group(ec2, web)["IpPermissions"]] == [443]


def test_legacy_top_level_rule_and_egress(ec2: Any, vpc_id: str) -> None:
    web = new_group(ec2, vpc_id)
    ec2.authorize_security_group_ingress(GroupId=web, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
    ec2.revoke_security_group_egress(
        GroupId=web, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.authorize_security_group_egress(
        GroupId=web,
        IpPermissions=[{"IpProtocol": "6", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    found = group(ec2, web)
    assert [(p["IpProtocol"], p["FromPort"]) for p in found["IpPermissions"]] == [("tcp", 80)]
    assert [(p["IpProtocol"], p["FromPort"]) for p in found["IpPermissionsEgress"]] == [("tcp", 443)]


@pytest.mark.parametrize(
    ("permission", "code", "message"),
    [
        (
            SSH | {"IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            "InvalidPermission.Duplicate",
            'the specified rule "peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW" already exists',
        ),
        (
            {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            "InvalidParameterValue",
            "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.",
        ),
        (
            {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            "InvalidParameterValue",
            "Invalid value 'Invalid TCP/UDP port range 90-80.' for portRange.",
        ),
        (
            {"IpProtocol": "gre", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            "InvalidParameterValue",
            "Invalid value 'gre' for IP protocol. Unknown protocol.",
        ),
        (
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.1/8"}]},
            "InvalidParameterValue",
            "CIDR block 10.0.0.1/8 is malformed",
        ),
        (
            {"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-00000000"}]},
            "InvalidPrefixListID.NotFound",
            "The prefix list ID 'pl-00000000' does not exist",
        ),
        (
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]},
            "InvalidGroup.NotFound",
            "The security group 'sg-0123456789abcdef0' does not exist",
        ),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(
    ec2: Any, vpc_id: str, permission: Dict[str, Any], code: str, message: str
) -> None:
    web = new_group(ec2, vpc_id)
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[SSH])
    with ec2_error(code, message, unchanged=ec2):
        ec2.authorize_security_group_ingress(
            GroupId=web,
            IpPermissions=[
                {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                permission,
            ],
        )


def test_a_group_of_another_vpc_is_no_peer(ec2: Any, vpc_id: str) -> None:
    web = new_group(ec2, vpc_id)
    other = new_group(ec2, ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"], "other")
    with ec2_error(
        "InvalidGroup.NotFound", "You have specified two resources that belong to different networks.", unchanged=ec2
    ):
        ec2.authorize_security_group_ingress(
            GroupId=web, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": other}]}]
        )


def test_revoking_an_absent_rule_or_rule_id(ec2: Any, vpc_id: str) -> None:
    web = new_group(ec2, vpc_id)
    with ec2_error(
        "InvalidPermission.NotFound", "The specified rule does not exist in this security group.", unchanged=ec2
    ):
        ec2.revoke_security_group_ingress(GroupId=web, IpPermissions=[SSH])
    with ec2_error(
        "InvalidSecurityGroupRuleId.NotFound",
        "The security group rule ID 'sgr-0123456789abcdef0' does not exist",
        unchanged=ec2,
    ):
        ec2.revoke_security_group_ingress(GroupId=web, SecurityGroupRuleIds=["sgr-0123456789abcdef0"])


def test_the_rule_limit(ec2: Any, vpc_id: str) -> None:
    web = new_group(ec2, vpc_id)
    ranges = [{"CidrIp": f"10.{i}.0.0/16"} for i in range(60)]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{"IpProtocol": "-1", "IpRanges": ranges}])
    with ec2_error(
        "RulesPerSecurityGroupLimitExceeded",
        "The maximum number of rules per security group has been reached.",
        unchanged=ec2,
    ):
        ec2.authorize_security_group_ingress(
            GroupId=web, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "11.0.0.0/8"}]}]
        )


def test_groups_in_use_cannot_be_deleted(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    web, lb = new_group(ec2, vpc_id), new_group(ec2, vpc_id, "lb")
    default = group(
        ec2,
        ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]["GroupId"],
    )
    with ec2_error(
        "CannotDelete",
        f'the specified group: "{default["GroupId"]}" name: "default" cannot be deleted by a user',
        unchanged=ec2,
    ):
        ec2.delete_security_group(GroupId=default["GroupId"])
    eni = new_eni(ec2, subnet_id, Groups=[web])
    with ec2_error("DependencyViolation", f"resource {web} has a dependent object", unchanged=ec2):
        ec2.delete_security_group(GroupId=web)
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[lb])
    ec2.authorize_security_group_ingress(
        GroupId=lb, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": web}]}]
    )
    with ec2_error("DependencyViolation", f"resource {web} has a dependent object", unchanged=ec2):
        ec2.delete_security_group(GroupId=web)
    with ec2_error("DependencyViolation", unchanged=ec2):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.revoke_security_group_ingress(
        GroupId=lb, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": web}]}]
    )
    ec2.delete_security_group(GroupId=web)


def test_interfaces_get_real_groups(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert [g["GroupName"] for g in eni["Groups"]] == ["default"]
    web = new_group(ec2, vpc_id)
    described = ec2.create_network_interface(SubnetId=subnet_id, Groups=[web])["NetworkInterface"]
    assert described["Groups"] == [{"GroupId": web, "GroupName": "web"}]
    by_name = ec2.describe_network_interfaces(Filters=[{"Name": "group-name", "Values": ["web"]}])
    assert [e["NetworkInterfaceId"] for e in by_name["NetworkInterfaces"]] == [described["NetworkInterfaceId"]]
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    stranger = new_group(ec2, other_vpc, "stranger")
    with ec2_error(
        "InvalidParameterValue",
        f"Security group {stranger} and subnet {subnet_id} belong to different networks.",
        unchanged=ec2,
    ):
        ec2.create_network_interface(SubnetId=subnet_id, Groups=[stranger])
    with ec2_error("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist", unchanged=ec2):
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni["NetworkInterfaceId"], Groups=["sg-0123456789abcdef0"]
        )
    many = [new_group(ec2, vpc_id, f"g{i}") for i in range(6)]
    with ec2_error(
        "SecurityGroupsPerInterfaceLimitExceeded",
        "The maximum number of security groups per interface has been reached.",
        unchanged=ec2,
    ):
        ec2.create_network_interface(SubnetId=subnet_id, Groups=many)


def test_instances_take_groups_by_id_or_by_name_in_the_default_vpc(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    ec2.create_security_group(GroupName="legacy", Description="in the default VPC")
    launched = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroups=["legacy"])["Instances"][0]
    assert [g["GroupName"] for g in launched["SecurityGroups"]] == ["legacy"]
    with ec2_error(
        "InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet", unchanged=ec2
    ):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroups=["legacy"])
    web = new_group(ec2, vpc_id)
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroupIds=[web])
    assert node["Instances"][0]["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}]
    assert node["Instances"][0]["NetworkInterfaces"][0]["Groups"] == [{"GroupId": web, "GroupName": "web"}]


def test_dry_run(ec2: Any, vpc_id: str) -> None:
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.create_security_group(GroupName="x", Description="x", VpcId=vpc_id, DryRun=True)
    web = new_group(ec2, vpc_id)
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[SSH], DryRun=True)
    with ec2_error("DryRunOperation", status=412, unchanged=ec2):
        ec2.delete_security_group(GroupId=web, DryRun=True)


def test_managed_prefix_lists(ec2: Any) -> None:
    lists = ec2.describe_managed_prefix_lists()["PrefixLists"]
    assert {p["PrefixListName"] for p in lists} == {"com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.dynamodb"}
    assert all(p["OwnerId"] == "AWS" for p in lists)
    plain = ec2.describe_prefix_lists(PrefixListIds=[lists[0]["PrefixListId"]])["PrefixLists"]
    assert plain[0]["Cidrs"]


def test_instances_are_found_by_their_groups(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    web = new_group(ec2, vpc_id)
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroupIds=[web])
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)
    for name, value in [
        ("instance.group-id", web),
        ("instance.group-name", "web"),
        ("network-interface.group-name", "web"),
    ]:
        found = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}])["Reservations"]
        assert [i["InstanceId"] for r in found for i in r["Instances"]] == [node["Instances"][0]["InstanceId"]]


def test_an_instance_shows_its_primary_interfaces_groups(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    web = new_group(ec2, vpc_id)
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)["Instances"][0]
    primary = node["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=primary, Groups=[web])
    shown = ec2.describe_instances(InstanceIds=[node["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert shown["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}]


def test_modify_rules_in_place(ec2: Any, vpc_id: str) -> None:
    web, lb = new_group(ec2, vpc_id), new_group(ec2, vpc_id, "lb")
    rules = ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[SSH])["SecurityGroupRules"]
    rule_id = rules[0]["SecurityGroupRuleId"]
    change = {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222, "ReferencedGroupId": lb, "Description": "moved"}
    ec2.modify_security_group_rules(
        GroupId=web, SecurityGroupRules=[{"SecurityGroupRuleId": rule_id, "SecurityGroupRule": change}]
    )
    [rule] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    assert (rule["FromPort"], rule["ReferencedGroupInfo"]["GroupId"], rule["Description"]) == (2222, lb, "moved")
    with ec2_error("InvalidParameterCombination", unchanged=ec2):
        ec2.modify_security_group_rules(
            GroupId=web,
            SecurityGroupRules=[
                {"SecurityGroupRuleId": rule_id, "SecurityGroupRule": {**change, "CidrIpv4": "10.0.0.0/8"}}
            ],
        )
    with ec2_error("InvalidSecurityGroupRuleId.NotFound", unchanged=ec2):
        ec2.modify_security_group_rules(
            GroupId=lb, SecurityGroupRules=[{"SecurityGroupRuleId": rule_id, "SecurityGroupRule": change}]
        )
