"""The only package that imports boto3.

Everything here returns dataclasses and raises AwsError (with the AWS error
code and request id), so views, tasks and domain services never see a raw
boto3 response or exception.
"""

from roles.aws.errors import AwsError

__all__ = ["AwsError"]
