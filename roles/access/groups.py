"""The access groups. Created by migration 0002; the test personas (tests/conftest.py) use them."""

VIEWER = "viewer"
OPERATOR = "operator"
APPROVER = "approver"

ALL = (VIEWER, OPERATOR, APPROVER)
