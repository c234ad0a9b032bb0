"""Deleting a service-linked role: request (views), submit and poll (worker).

service.py creates requests and retries; worker.py is what the Celery tasks
run; evidence.py records what the requester saw; outcomes.py is every ending.
"""
