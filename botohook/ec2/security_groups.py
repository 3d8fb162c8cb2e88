"""Create/Describe/DeleteSecurityGroup, Authorize/Revoke SecurityGroupIngress/Egress, DescribeSecurityGroupRules,
and the checks of the groups an interface or instance names."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Tuple

from . import wire
from .base import is_resource_id
from .describe import (
    Getter,
    Narrower,
    by_ids,
    choose,
    named,
    of_vpc,
    paged,
    select,
    tag_list,
    tag_specifications,
    tags_by_type,
)
from .errors import Ec2Error, invalid_value, missing
from .groups import Rule, RuleKey, SecurityGroup
from .model import ALL_TRAFFIC, Region
from .network import Subnet, Vpc
from .prefix_lists import prefix_list

Response = Dict[str, Any]
RULE_LIMIT = 60  # rules per direction per group (EC2's default quota)
GROUPS_PER_INTERFACE = 5  # EC2's default quota
_NAMED_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# a rule's peer kind -> its member in SecurityGroupRule (and RevokedSecurityGroupRule, ModifySecurityGroupRules)
_RULE_MEMBERS = {"cidr": "CidrIpv4", "cidr6": "CidrIpv6", "prefix-list": "PrefixListId", "group": "ReferencedGroupId"}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*")


# -- groups named by interfaces and instances -------------------------------------------------------------------------


def groups_for(region: Region, vpc: Vpc, subnet: Subnet, group_ids: List[str]) -> List[str]:
    """The groups an interface in ``subnet`` is given, checked: known, of the subnet's VPC, at most five; none
    given → the VPC's ``default`` group."""
    chosen = list(dict.fromkeys(group_ids))
    for group_id in chosen:
        if region.security_group(group_id).vpc is not vpc:
            raise invalid_value(f"Security group {group_id} and subnet {subnet.id} belong to different networks.")
    if len(chosen) > GROUPS_PER_INTERFACE:
        raise Ec2Error(
            "SecurityGroupsPerInterfaceLimitExceeded",
            "The maximum number of security groups per interface has been reached.",
        )
    return chosen or [vpc.default_group_id]


def group_entry(region: Region, group_id: str) -> Dict[str, str]:
    """A group as interfaces and instances list it."""
    group = region.security_groups.get(group_id)
    return {"GroupId": group_id, "GroupName": group.name if group is not None else ""}


def group_by_name(vpc: Vpc | None, name: str) -> SecurityGroup:
    """A group named in the default VPC (where EC2 resolves names), or EC2's error."""
    found = vpc.group_named(name) if vpc is not None else None
    if found is None:
        where = vpc.id if vpc is not None else "none"
        raise Ec2Error("InvalidGroup.NotFound", f"The security group '{name}' does not exist in default VPC '{where}'")
    return found


def _target(region: Region, params: wire.Params) -> SecurityGroup:
    """The group a request names by ``GroupId`` or, in the default VPC, by ``GroupName``."""
    group_id = wire.text(params, "GroupId")
    if group_id:
        return region.security_group(group_id)
    name = wire.text(params, "GroupName")
    if not name:
        raise missing("GroupId")
    return group_by_name(region.default_vpc(), name)


# -- groups ---------------------------------------------------------------------------------------------------------


def _check_name(value: str, parameter: str) -> None:
    if len(value) > 255 or not set(value) <= _NAME_CHARS:
        raise invalid_value(
            f"Value ({value}) for parameter {parameter} is invalid. Character sets beyond ASCII are not supported."
        )


def create_security_group(region: Region, params: wire.Params) -> Response:
    name = wire.text(params, "GroupName")
    if not name:
        raise missing("GroupName")
    description = wire.text(params, "GroupDescription")
    if not description:
        raise missing("GroupDescription")
    _check_name(name, "GroupName")
    _check_name(description, "GroupDescription")
    if name == "default":
        raise Ec2Error("InvalidGroup.Reserved", "The security group 'default' is reserved")
    if name.startswith("sg-"):
        raise invalid_value(
            f"Value ({name}) for parameter GroupName is invalid. Group names may not be in the format sg-*."
        )
    vpc_id = wire.text(params, "VpcId")
    vpc = region.vpc(vpc_id) if vpc_id else region.default_vpc()
    if vpc is None:
        raise Ec2Error("VPCIdNotSpecified", "No default VPC for this user")
    if vpc.group_named(name) is not None:
        raise Ec2Error("InvalidGroup.Duplicate", f"The security group '{name}' already exists for VPC '{vpc.id}'")
    tags = tag_specifications(params, "security-group")
    wire.check_dry_run(params)
    group = SecurityGroup(region.settings, vpc, name, description)
    group.tags.update(tags)
    region.add(group)
    region.add_rule(group, True, (ALL_TRAFFIC, -1, -1, "cidr", "0.0.0.0/0"), "")
    out: Response = {"GroupId": group.id, "SecurityGroupArn": _arn(region, group.id)}
    if tags:
        out["Tags"] = tag_list(tags)
    return out


def _arn(region: Region, group_id: str) -> str:
    return f"arn:aws:ec2:{region.name}:{region.settings.account_id}:security-group/{group_id}"


def _in_use(region: Region, group: SecurityGroup) -> bool:
    if any(group.id in eni.groups for eni in region.interfaces.values()):
        return True
    return any(r.kind == "group" and r.peer == group.id and r.group is not group for r in region.rules.values())


def delete_security_group(region: Region, params: wire.Params) -> Response:
    group = _target(region, params)
    if group.name == "default":
        raise Ec2Error("CannotDelete", f'the specified group: "{group.id}" name: "default" cannot be deleted by a user')
    if _in_use(region, group):
        raise Ec2Error("DependencyViolation", f"resource {group.id} has a dependent object")
    wire.check_dry_run(params)
    region.remove(group)
    return {"Return": True, "GroupId": group.id}


def _permissions(region: Region, group: SecurityGroup, egress: bool) -> List[Response]:
    """A group's rules as ``IpPermissions``: one entry per protocol and port range, peers grouped by kind."""
    entries: Dict[Tuple[str, int, int], Response] = {}
    for rule in group.rules(egress).values():
        entry = entries.get((rule.protocol, rule.from_port, rule.to_port))
        if entry is None:
            entry = {
                "IpProtocol": rule.protocol,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
            if rule.protocol != ALL_TRAFFIC:
                entry["FromPort"], entry["ToPort"] = rule.from_port, rule.to_port
            entries[(rule.protocol, rule.from_port, rule.to_port)] = entry
        peer: Dict[str, str]
        if rule.kind == "cidr":
            peer, member = {"CidrIp": rule.peer}, "IpRanges"
        elif rule.kind == "cidr6":
            peer, member = {"CidrIpv6": rule.peer}, "Ipv6Ranges"
        elif rule.kind == "prefix-list":
            peer, member = {"PrefixListId": rule.peer}, "PrefixListIds"
        else:
            peer, member = {"GroupId": rule.peer, "UserId": region.settings.account_id}, "UserIdGroupPairs"
        if rule.description:
            peer["Description"] = rule.description
        entry[member].append(peer)
    return list(entries.values())


def describe_group(region: Region, group: SecurityGroup) -> Response:
    out: Response = {
        "Description": group.description,
        "GroupName": group.name,
        "IpPermissions": _permissions(region, group, False),
        "OwnerId": region.settings.account_id,
        "GroupId": group.id,
        "IpPermissionsEgress": _permissions(region, group, True),
        "VpcId": group.vpc.id,
        "SecurityGroupArn": _arn(region, group.id),
    }
    if group.tags:
        out["Tags"] = tag_list(group.tags)
    return out


def _peers(egress: bool, kind: str) -> Getter[SecurityGroup]:
    return lambda g: [r.peer for r in g.rules(egress).values() if r.kind == kind]


def _ports(egress: bool, attribute: str) -> Getter[SecurityGroup]:
    return lambda g: [str(getattr(r, attribute)) for r in g.rules(egress).values()]


def _group_filters(region: Region) -> Dict[str, Getter[SecurityGroup]]:
    getters: Dict[str, Getter[SecurityGroup]] = {
        "group-id": lambda g: [g.id],
        "group-name": lambda g: [g.name],
        "description": lambda g: [g.description],
        "vpc-id": lambda g: [g.vpc.id],
        "owner-id": lambda g: [region.settings.account_id],
    }
    for prefix, egress in (("ip-permission", False), ("egress.ip-permission", True)):
        getters[f"{prefix}.cidr"] = _peers(egress, "cidr")
        getters[f"{prefix}.ipv6-cidr"] = _peers(egress, "cidr6")
        getters[f"{prefix}.prefix-list-id"] = _peers(egress, "prefix-list")
        getters[f"{prefix}.group-id"] = _peers(egress, "group")
        getters[f"{prefix}.protocol"] = _ports(egress, "protocol")
        getters[f"{prefix}.from-port"] = _ports(egress, "from_port")
        getters[f"{prefix}.to-port"] = _ports(egress, "to_port")
    return getters


_NARROWERS: Dict[str, Narrower[SecurityGroup]] = {
    "group-id": named(lambda region: region.security_groups),
    "vpc-id": of_vpc(lambda vpc: vpc.groups),
}
"""Filters that find their candidates without a scan: each yields every group the filter may select."""


def describe_security_groups(region: Region, params: wire.Params) -> Response:
    wanted = wire.strings(params, "GroupId")
    for group_id in wanted:
        region.security_group(group_id)
    names = wire.strings(params, "GroupName")
    vpc = region.default_vpc() if names else None
    named = {group_by_name(vpc, name).id for name in names}
    chosen = choose(region, region.security_groups, wanted, params, _group_filters(region), _NARROWERS)
    if names:
        chosen = [g for g in chosen if g.id in named]
    wire.check_dry_run(params)
    return paged("SecurityGroups", chosen, params, lambda g: describe_group(region, g))


# -- rules ----------------------------------------------------------------------------------------------------------


def _protocol(value: str | None) -> str:
    if value is None or value == "":
        raise missing("ipPermissions.ipProtocol")
    lowered = value.lower()
    if lowered in ("tcp", "udp", "icmp", "icmpv6", ALL_TRAFFIC):
        return lowered
    if lowered.isdigit() and int(lowered) <= 255:
        return _NAMED_PROTOCOLS.get(str(int(lowered)), str(int(lowered)))
    raise invalid_value(f"Invalid value '{value}' for IP protocol. Unknown protocol.")


def _port(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise invalid_value(f"Invalid value '{value}' for portRange.") from None


def _port_range(protocol: str, entry: wire.Params) -> Tuple[int, int]:
    low, high = _port(wire.text(entry, "FromPort")), _port(wire.text(entry, "ToPort"))
    if protocol in ("tcp", "udp"):
        if low is None or high is None:
            raise invalid_value("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.")
        if not 0 <= low <= high <= 65535:
            raise invalid_value(f"Invalid value 'Invalid TCP/UDP port range {low}-{high}.' for portRange.")
        return low, high
    if protocol in ("icmp", "icmpv6"):
        low, high = -1 if low is None else low, -1 if high is None else high
        if not (-1 <= low <= 255 and -1 <= high <= 255):
            raise invalid_value(f"Invalid value 'Invalid ICMP type {low} or code {high}.' for portRange.")
        return low, high
    if protocol == ALL_TRAFFIC:
        return -1, -1
    return (-1 if low is None else low), (-1 if high is None else high)


def _cidr(value: str | None, version: int) -> str:
    try:
        network = ipaddress.ip_network(value or "", strict=True)
    except ValueError:
        network = None
    if network is None or network.version != version:
        raise invalid_value(f"CIDR block {value} is malformed")
    return str(network)


def _rule_specs(region: Region, group: SecurityGroup, params: wire.Params) -> List[Tuple[RuleKey, str]]:
    """The rules a request names (``IpPermissions``, or the older top-level ``IpProtocol``/ports/``CidrIp``), as
    (key, description), checked; in request order."""
    entries: List[wire.Params] = list(wire.structs(params, "IpPermissions"))
    legacy = wire.text(params, "CidrIp")
    if legacy is not None or wire.text(params, "IpProtocol") is not None:
        if entries:
            raise Ec2Error(
                "InvalidParameterCombination",
                "The parameter 'ipPermissions' may not be used in combination with 'ipProtocol' or 'cidrIp'",
            )
        single: Dict[str, object] = {k: params[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in params}
        if legacy is not None:
            single["IpRanges.1.CidrIp"] = legacy
        entries = [single]
    if not entries:
        raise missing("ipPermissions")
    specs: List[Tuple[RuleKey, str]] = []
    for entry in entries:
        protocol = _protocol(wire.text(entry, "IpProtocol"))
        low, high = _port_range(protocol, entry)
        peers: List[Tuple[str, str, str]] = []
        for member, kind, field in _PERMISSION_PEERS:
            for item in wire.structs(entry, member):
                if kind == "group":  # by id or by name, with the account it belongs to
                    peer = _peer_group(region, group, item).id
                else:
                    peer = _checked_peer(region, group, kind, item.get(field))
                peers.append((kind, peer, item.get("Description", "")))
        if not peers:
            raise missing("ipPermissions.ipRanges, ipv6Ranges, prefixListIds or groups")
        for kind, peer, description in peers:
            if len(description) > 255:
                raise invalid_value("Description must be 255 characters or fewer")
            specs.append(((protocol, low, high, kind, peer), description))
    return specs


# IpPermissions members: the list, the peer kind of its entries, the field naming the peer
_PERMISSION_PEERS = (
    ("IpRanges", "cidr", "CidrIp"),
    ("Ipv6Ranges", "cidr6", "CidrIpv6"),
    ("PrefixListIds", "prefix-list", "PrefixListId"),
    ("Groups", "group", "GroupId"),
)


def _checked_peer(region: Region, group: SecurityGroup, kind: str, peer: str | None) -> str:
    """A rule's peer of ``kind`` as stored, checked: a CIDR in canonical form, a known prefix list, a group of the
    same VPC and account."""
    if kind == "cidr":
        return _cidr(peer, 4)
    if kind == "cidr6":
        return _cidr(peer, 6)
    if kind == "prefix-list":
        return prefix_list(region, peer or "").id
    return _peer_group(region, group, {"GroupId": peer or ""}).id


def _peer_group(region: Region, group: SecurityGroup, item: Dict[str, str]) -> SecurityGroup:
    user = item.get("UserId")
    if user is not None and user != region.settings.account_id:
        raise Ec2Error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
    if "GroupId" in item:
        peer = region.security_group(item["GroupId"])
    elif "GroupName" in item:
        peer = group.vpc.group_named(item["GroupName"]) or group_by_name(None, item["GroupName"])
    else:
        raise missing("groupId")
    if peer.vpc is not group.vpc:
        raise Ec2Error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
    return peer


def _duplicate(key: RuleKey) -> Ec2Error:
    protocol, low, high, _, peer = key
    shown = "ALL" if protocol == ALL_TRAFFIC else protocol.upper()
    ports = "" if protocol == ALL_TRAFFIC else f", from port: {low}, to port: {high}"
    return Ec2Error(
        "InvalidPermission.Duplicate", f'the specified rule "peer: {peer}, {shown}{ports}, ALLOW" already exists'
    )


def describe_rule(region: Region, rule: Rule) -> Response:
    out: Response = {
        "SecurityGroupRuleId": rule.id,
        "GroupId": rule.group.id,
        "GroupOwnerId": region.settings.account_id,
        "IsEgress": rule.egress,
        "IpProtocol": rule.protocol,
        "FromPort": rule.from_port,
        "ToPort": rule.to_port,
        "SecurityGroupRuleArn": f"arn:aws:ec2:{region.name}:{region.settings.account_id}:security-group-rule/{rule.id}",
        "Tags": tag_list(rule.tags),
    }
    if rule.kind == "group":
        out["ReferencedGroupInfo"] = {"GroupId": rule.peer, "UserId": region.settings.account_id}
    else:
        out[_RULE_MEMBERS[rule.kind]] = rule.peer
    if rule.description:
        out["Description"] = rule.description
    return out


def _revoked_rule(rule: Rule) -> Response:
    out: Response = {
        "SecurityGroupRuleId": rule.id,
        "GroupId": rule.group.id,
        "IsEgress": rule.egress,
        "IpProtocol": rule.protocol,
        "FromPort": rule.from_port,
        "ToPort": rule.to_port,
    }
    out[_RULE_MEMBERS[rule.kind]] = rule.peer
    if rule.description:
        out["Description"] = rule.description
    return out


def _authorize(egress: bool) -> Any:
    def authorize(region: Region, params: wire.Params) -> Response:
        group = _target(region, params)
        specs = _rule_specs(region, group, params)
        existing = {rule.key: rule for rule in group.rules(egress).values()}
        seen: Dict[RuleKey, None] = {}
        for key, _ in specs:
            if key in existing or key in seen:
                raise _duplicate(key)
            seen[key] = None
        if len(existing) + len(specs) > RULE_LIMIT:
            raise Ec2Error(
                "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached."
            )
        tags = tags_by_type(params, ("security-group-rule",)).get("security-group-rule", {})
        wire.check_dry_run(params)
        added = []
        for key, description in specs:
            rule = region.add_rule(group, egress, key, description)
            region.tag(rule, tags)
            added.append(describe_rule(region, rule))
        return {"Return": True, "SecurityGroupRules": added}

    return authorize


def _revoke(egress: bool) -> Any:
    def revoke(region: Region, params: wire.Params) -> Response:
        group = _target(region, params)
        rules = group.rules(egress)
        rule_ids = wire.strings(params, "SecurityGroupRuleId")
        chosen: List[Rule] = []
        if rule_ids:
            if "IpPermissions.1.IpProtocol" in params or wire.text(params, "IpProtocol") is not None:
                raise Ec2Error(
                    "InvalidParameterCombination",
                    "You may specify either security group rule IDs or IP permissions, but not both.",
                )
            for rule_id in rule_ids:
                if not is_resource_id(rule_id, "sgr"):
                    raise Ec2Error("InvalidSecurityGroupRuleId.Malformed", f'Invalid id: "{rule_id}"')
                chosen.append(_rule_in(rules, rule_id))
        else:
            by_key = {rule.key: rule for rule in rules.values()}
            for key, _ in _rule_specs(region, group, params):
                if key not in by_key:
                    raise Ec2Error(
                        "InvalidPermission.NotFound", "The specified rule does not exist in this security group."
                    )
                chosen.append(by_key[key])
        wire.check_dry_run(params)
        revoked = []
        for rule in dict.fromkeys(chosen):
            revoked.append(_revoked_rule(rule))
            region.remove(rule)
        return {"Return": True, "RevokedSecurityGroupRules": revoked}

    return revoke


def modify_security_group_rules(region: Region, params: wire.Params) -> Response:
    """Rewrite rules of a group in place (their ids stay), each to a protocol, ports and exactly one peer; all or
    nothing."""
    group = region.security_group(wire.required(params, "GroupId"))
    entries = wire.structs(params, "SecurityGroupRule")
    if not entries:
        raise missing("SecurityGroupRules")
    changes: List[Tuple[Rule, RuleKey, str]] = []
    for entry in entries:
        rule = _rule_in({**group.ingress, **group.egress}, entry.get("SecurityGroupRuleId", ""))
        spec = {k[len("SecurityGroupRule.") :]: v for k, v in entry.items() if k.startswith("SecurityGroupRule.")}
        protocol = _protocol(spec.get("IpProtocol"))
        low, high = _port_range(protocol, spec)
        peers = [(kind, spec[name]) for kind, name in _RULE_MEMBERS.items() if name in spec]
        if len(peers) != 1:
            raise Ec2Error(
                "InvalidParameterCombination",
                "Specify exactly one of cidrIpv4, cidrIpv6, prefixListId and referencedGroupId.",
            )
        kind, peer = peers[0]
        key = (protocol, low, high, kind, _checked_peer(region, group, kind, peer))
        changes.append((rule, key, spec.get("Description", "")))
    changed = {rule.id for rule, _, _ in changes}
    for rule, key, _ in changes:
        others = [r for r in group.rules(rule.egress).values() if r.id not in changed]
        if any(r.key == key for r in others) or sum(1 for _, k, _ in changes if k == key) > 1:
            raise _duplicate(key)
    wire.check_dry_run(params)
    for rule, key, description in changes:
        rule.protocol, rule.from_port, rule.to_port, rule.kind, rule.peer = key
        rule.description = description
    return {"Return": True}


def describe_security_group_rules(region: Region, params: wire.Params) -> Response:
    rules = by_ids(
        region, region.rules, wire.strings(params, "SecurityGroupRuleId"), lambda i: _rule_in(region.rules, i)
    )
    getters: Dict[str, Getter[Rule]] = {
        "group-id": lambda r: [r.group.id],
        "security-group-rule-id": lambda r: [r.id],
    }
    chosen = select(rules, params, getters)
    wire.check_dry_run(params)
    return paged("SecurityGroupRules", chosen, params, lambda r: describe_rule(region, r))


def _rule_in(rules: Dict[str, Rule], rule_id: str) -> Rule:
    """The rule with this id among ``rules``, or EC2's not-found error."""
    found = rules.get(rule_id)
    if found is None:
        raise Ec2Error("InvalidSecurityGroupRuleId.NotFound", f"The security group rule ID '{rule_id}' does not exist")
    return found


OPERATIONS = {
    "CreateSecurityGroup": create_security_group,
    "DescribeSecurityGroups": describe_security_groups,
    "DeleteSecurityGroup": delete_security_group,
    "AuthorizeSecurityGroupIngress": _authorize(False),
    "AuthorizeSecurityGroupEgress": _authorize(True),
    "RevokeSecurityGroupIngress": _revoke(False),
    "RevokeSecurityGroupEgress": _revoke(True),
    "DescribeSecurityGroupRules": describe_security_group_rules,
    "ModifySecurityGroupRules": modify_security_group_rules,
}
