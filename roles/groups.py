"""The access groups. Created by migration 0002; tests/personas use them."""

VIEWER = "viewer"
OPERATOR = "operator"
APPROVER = "approver"

ALL = (VIEWER, OPERATOR, APPROVER)
