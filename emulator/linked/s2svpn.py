"""AWS Site-to-Site VPN: its role is held by the customer gateways with an ACM private
certificate (patches.customergateways) that are not deleted, in each Region."""

from moto.ec2.models import ec2_backends

from . import per_region

ROLES = [("s2svpn.amazonaws.com", "AWSServiceRoleForVPCS2SVPN")]


def _gateways(task) -> list[dict]:
    return per_region(
        ec2_backends,
        task.account,
        lambda b: (
            f"arn:aws:ec2:{b.region_name}:{task.account}:customer-gateway/{g.id}"
            for g in b.customer_gateways.values()
            if getattr(g, "certificate_arn", None) and g.state != "deleted"
        ),
    )


CHECKS = {"s2svpn.amazonaws.com": _gateways}
