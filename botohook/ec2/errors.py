"""EC2 errors as the API reports them: a code, a message and an HTTP status."""

from __future__ import annotations


class Ec2Error(Exception):
    """An error EC2 would answer with; the wiring turns it into botocore's ``ClientError``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def invalid_value(message: str) -> Ec2Error:
    return Ec2Error("InvalidParameterValue", message)


def bad_parameter(value: object, parameter: str) -> Ec2Error:
    """The generic complaint EC2 makes about one parameter's value."""
    return invalid_value(f"Value ({value}) for parameter {parameter} is invalid.")


def missing(parameter: str) -> Ec2Error:
    return Ec2Error("MissingParameter", f"The request must contain the parameter {parameter}")


def dry_run() -> Ec2Error:
    return Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def dependencies(noun: str, resource_id: str) -> Ec2Error:
    """EC2's refusal to delete a resource something still uses (``noun`` as EC2 spells it: ``vpc``, ``routeTable``)."""
    return Ec2Error("DependencyViolation", f"The {noun} '{resource_id}' has dependencies and cannot be deleted.")


def several_interfaces(instance_id: str) -> Ec2Error:
    """EC2's refusal to pick one of an instance's interfaces for the caller (Elastic IPs, routes)."""
    return Ec2Error(
        "InvalidInstanceID",
        f"There are multiple interfaces attached to instance '{instance_id}'. "
        "Please specify an interface ID for the operation instead.",
    )


def incorrect_state(instance_id: str) -> Ec2Error:
    return Ec2Error(
        "IncorrectInstanceState", f"The instance '{instance_id}' is not in a valid state for this operation."
    )
