"""Write operations of signing: keys, credentials issued at publication, status lists.

Each function is one transaction and is called by receivers of passport events, management commands, the
API and the seed; none of them reads a request.
"""
