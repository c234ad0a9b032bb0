"""AWS Service Catalog AppRegistry: its role is held by any application in the account,
in each Region. AppRegistry signs as "servicecatalog", its IAM prefix, and its model is
"servicecatalog-appregistry" (Service Catalog's own calls name their operation in
X-Amz-Target, so they are told apart)."""

from moto.servicecatalogappregistry.models import servicecatalogappregistry_backends

from . import per_region

ROLES = [("servicecatalog-appregistry.amazonaws.com", "AWSServiceRoleForServiceCatalogAppRegistry")]
SIGNING = {"servicecatalog": ("servicecatalog-appregistry", "servicecatalog")}
CHECKS = {
    "servicecatalog-appregistry.amazonaws.com": lambda task: per_region(
        servicecatalogappregistry_backends, task.account, lambda b: iter(b.applications)
    )
}
