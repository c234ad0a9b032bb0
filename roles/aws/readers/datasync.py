"""AWS DataSync: "Delete the DataSync agents used by the task (if there are any). Delete
the task's locations. Delete the task." (docs/catalogue.md). ListTasks, ListLocations and
ListAgents, 100 a page each; every item carries its ARN. A location or agent no task uses
any more is counted too: the lists do not say which task uses which, and the guide has
them all deleted."""

from roles.aws.listing import Listing, reader


def _listing(method: str, action: str, items: str, kind: str, name: str, arn: str, **kw) -> Listing:
    return Listing(
        "datasync",
        method,
        action,
        items,
        kind,
        name=name,
        arn=arn,
        token_in="NextToken",
        token_out="NextToken",
        page_param="MaxResults",
        page_size=100,
        **kw,
    )


READERS = {
    "datasync.amazonaws.com": reader(
        _listing(
            "list_tasks",
            "datasync:ListTasks",
            "Tasks",
            "DataSync task",
            "TaskArn",
            "TaskArn",
            status="Status",
        ),
        _listing(
            "list_locations",
            "datasync:ListLocations",
            "Locations",
            "DataSync location",
            "LocationUri",
            "LocationArn",
        ),
        _listing(
            "list_agents",
            "datasync:ListAgents",
            "Agents",
            "DataSync agent",
            "AgentArn",
            "AgentArn",
            status="Status",
        ),
        found="no DataSync task, location or agent",
    ),
}
