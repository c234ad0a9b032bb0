"""What each service's own guide says must be gone before its service-linked role can be
deleted: the rules behind the readiness verdict (roles/inventory/readiness.py).

Every rule is read from the service's user guide and cited there; docs/readiness.md
holds the full reading (the quotes, what is unconfirmed, the read calls and page sizes).
`checked` says whether rolecall reads the resources the rule names; where it does not,
the verdict says "Not checked" and shows the rule, never "Can be deleted now".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roles.aws.blockers import CONSOLIDATED_BILLING, NO_ORGANIZATION, reader_for
from roles.inventory import catalogue


@dataclass(frozen=True)
class Rule:
    service: str
    blocks: str  # what AWS says must be removed first, and where
    source: str  # the user-guide page that says it
    checked: bool = False  # rolecall reads what blocks it (roles/aws/blockers.py, ECS)
    deletable: bool = True  # False: AWS does not allow deleting the role at all
    found: str = ""  # what a read that finds nothing says ("no ECS cluster")
    # Set where a blocker found means the role cannot be deleted at all (Organizations):
    # why, as the refusal says it.
    blocked_forbids: str = ""
    # Set where finding nothing is not enough to call the role free: what rolecall
    # cannot see from the account (CloudTrail's trusted access).
    unseen: str = ""
    # Set where "Can be deleted now" rests on reads that leave something the guide
    # mentions unread (ELB's target groups): said after the verdict, in its words.
    hedge: str = ""
    # A state of the account a reader reports (roles/aws/blockers.py STATES) -> the
    # verdict it gives, its words, and AWS's own caution quoted beside it.
    states: dict[str, State] = field(default_factory=dict)
    # The catalogue's rules (roles/inventory/catalogue.py): AWS's own words, quoted
    # beside the rule, and why rolecall does not read what blocks the role, if it does not.
    quote: str = ""
    why: str = ""


@dataclass(frozen=True)
class State:
    verdict: str  # "not_checked" or "ready"
    text: str
    warning: str = ""  # AWS's words, quoted, shown with the verdict
    warning_source: str = ""


GUIDE = "https://docs.aws.amazon.com"
RULES: dict[str, Rule] = {
    "ecs.amazonaws.com": Rule(
        "Amazon ECS",
        "every ECS cluster, in every Region",
        f"{GUIDE}/AmazonECS/latest/developerguide/using-service-linked-roles.html",
        checked=True,
        found="no ECS cluster that is not INACTIVE",
    ),
    "elasticloadbalancing.amazonaws.com": Rule(
        "Elastic Load Balancing",
        "every load balancer (Application, Network, Gateway, Classic), in every Region",
        f"{GUIDE}/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html",
        checked=True,
        found="no load balancer",
        hedge="Target groups are not read: the guide names them only as creating this role, "
        "and only load balancers as blocking its deletion.",
    ),
    "autoscaling.amazonaws.com": Rule(
        "EC2 Auto Scaling",
        "every Auto Scaling group that uses this role, in every Region",
        f"{GUIDE}/autoscaling/ec2/userguide/autoscaling-service-linked-role.html",
        checked=True,
        found="no Auto Scaling group uses this role",
    ),
    "rds.amazonaws.com": Rule(
        "Amazon RDS and Aurora",
        "every DB instance and DB cluster, in every Region",
        f"{GUIDE}/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html",
        checked=True,
        found="no DB instance or DB cluster",
    ),
    "elasticache.amazonaws.com": Rule(
        "Amazon ElastiCache",
        "every cache cluster and replication group, in every Region",
        f"{GUIDE}/AmazonElastiCache/latest/dg/using-service-linked-roles.html",
        checked=True,
        found="no cache cluster, replication group or serverless cache",
    ),
    "eks.amazonaws.com": Rule(
        "Amazon EKS",
        "every EKS cluster (first its node groups and Fargate profiles), in every Region",
        f"{GUIDE}/eks/latest/userguide/using-service-linked-roles-eks.html",
        checked=True,
        found="no EKS cluster",
    ),
    "guardduty.amazonaws.com": Rule(
        "Amazon GuardDuty",
        "GuardDuty enabled in any Region: disable it in every Region first",
        f"{GUIDE}/guardduty/latest/ug/using-service-linked-roles.html",
        checked=True,
        found="no GuardDuty detector",
    ),
    "securityhub.amazonaws.com": Rule(
        "AWS Security Hub CSPM",
        "Security Hub CSPM enabled in any Region: disable it in every Region first",
        f"{GUIDE}/securityhub/latest/userguide/using-service-linked-roles.html",
        checked=True,
        found="Security Hub CSPM is not enabled",
    ),
    "config.amazonaws.com": Rule(
        "AWS Config",
        "every configuration recorder that uses this role, in every Region",
        f"{GUIDE}/config/latest/developerguide/using-service-linked-roles.html",
        checked=True,
        found="no configuration recorder uses this role",
    ),
    "access-analyzer.amazonaws.com": Rule(
        "IAM Access Analyzer",
        "every analyzer, in every Region",
        f"{GUIDE}/IAM/latest/UserGuide/access-analyzer-using-service-linked-roles.html",
        checked=True,
        found="no analyzer",
    ),
    "cloudtrail.amazonaws.com": Rule(
        "AWS CloudTrail",
        "organization trails and organization event data stores; AWS removes the role "
        "itself when the account leaves the organization",
        f"{GUIDE}/awscloudtrail/latest/userguide/using-service-linked-roles.html",
        checked=True,
        found="no organization trail or organization event data store",
        unseen="whether CloudTrail's trusted access with Organizations is on cannot be seen "
        'from a member account, nor an organization event data store ("Member accounts '
        'cannot see the organization event data store")',
    ),
    "sso.amazonaws.com": Rule(
        "IAM Identity Center",
        "user and group access, permission sets and the IAM identity provider for this "
        "account, all kept in the organization's Identity Center; AWS removes the role itself "
        "when the account leaves the organization",
        f"{GUIDE}/singlesignon/latest/userguide/using-service-linked-roles.html",
        checked=True,
        found="no Identity Center role (path /aws-reserved/sso.amazonaws.com/) and no AWSSSO_ "
        "SAML provider in the account",
        unseen="the user and group assignments and permission sets for this account are kept "
        "in the organization's Identity Center, which cannot be read from the account",
    ),
    "organizations.amazonaws.com": Rule(
        "AWS Organizations",
        "an organization with all features enabled: then the role cannot be deleted from any "
        "account (with consolidated billing only, it can)",
        f"{GUIDE}/organizations/latest/userguide/orgs_integrate_services.html",
        checked=True,
        found="the account is in no organization, or in one with consolidated billing only",
        blocked_forbids="this account's organization has all features enabled, and after "
        "that the AWSServiceRoleForOrganizations role cannot be deleted from any account",
        states={
            NO_ORGANIZATION: State(
                "not_checked",
                "Not checked: the account is in no organization. AWS documents when this role "
                "can be deleted only for an organization with all features (never) or with "
                "consolidated billing only (it can be). AWS will check when you delete.",
            ),
            CONSOLIDATED_BILLING: State(
                "ready",
                "Can be deleted now: the account's organization has consolidated billing only.",
                "AWS: \u201cAlthough we don't recommend it, if your organization has only "
                "consolidated billing features enabled, the service-linked role named "
                "AWSServiceRoleForOrganizations is never used, and you can delete it. If you "
                "later want to enable all features in your organization, the role is required, "
                "and you must restore it.\u201d",
                f"{GUIDE}/organizations/latest/userguide/orgs_integrate_services.html",
            ),
        },
    ),
    "trustedadvisor.amazonaws.com": Rule(
        "AWS Trusted Advisor",
        "Trusted Advisor enabled for the account: disable it in the Trusted Advisor console "
        "(Preferences) first",
        f"{GUIDE}/awssupport/latest/user/using-service-linked-roles-ta.html",
    ),
    "support.amazonaws.com": Rule(
        "AWS Support",
        "AWS Support needs this role to support the account, so it cannot be deleted through "
        "the IAM console, API or CLI",
        f"{GUIDE}/awssupport/latest/user/using-service-linked-roles-sup.html",
        deletable=False,
    ),
    "spot.amazonaws.com": Rule(
        "EC2 Spot Instances",
        "no blocking resource is named; EC2 creates the role again at the next Spot request",
        f"{GUIDE}/AWSEC2/latest/UserGuide/service-linked-roles-spot-instance-requests.html",
    ),
}


NAMES_NOTHING = "AWS's page names nothing that must be removed first"


def _from_catalogue(entry: catalogue.Entry) -> Rule:
    """A rule from the catalogue's reading of the service's page: checked where rolecall
    has a reader (roles/aws/readers/), else not, with the reason in words."""
    reader = reader_for(entry.principal)
    refused = entry.verdict == "refused"
    why = ""
    if reader is None and not refused:
        if entry.verdict == "reader":
            why = f"rolecall does not read {entry.blocks} yet"
        else:
            why = entry.why.rstrip(".") or NAMES_NOTHING
    blocks = entry.blocks or (entry.why.rstrip(".") if refused else NAMES_NOTHING)
    return Rule(
        entry.service,
        blocks,
        entry.page,
        checked=reader is not None,
        deletable=not refused,
        found=reader.found if reader is not None else "",
        unseen=reader.unseen if reader is not None else "",
        quote=entry.quote,
        why=why,
    )


for _principal, _entry in catalogue.by_principal().items():
    RULES.setdefault(_principal, _from_catalogue(_entry))


def rule_for(principal: str) -> Rule | None:
    """The documented rule for a service principal, or None for a service outside the catalogue."""
    return RULES.get(principal)


def forbidden(principal: str) -> str | None:
    """The refusal to show when AWS does not allow deleting the service's role at all,
    else None (the verdict, the delete page and the roles list all say this one sentence)."""
    rule = RULES.get(principal)
    if rule is None or rule.deletable:
        return None
    return f"AWS does not allow deleting this role: {rule.blocks}."
