"""Signed passports as W3C Verifiable Credentials: the signing core, apart from the database.

``keys`` (key material and its encryption at rest), ``signing`` (compact JWS, RFC 7515), ``did`` (did:web
documents), ``statuslist`` (Bitstring Status List), ``vc`` (the credential: build, sign, verify), ``mapping``
(passport data to credential claims), ``verification`` (the full check a verifier runs), ``document_loader``
with the ``contexts/`` it ships, and ``passport_context`` (our own JSON-LD context). They take plain data and
injected key resolvers; the writes that keep keys, issued credentials and status lists in the database are
``exporters.services``.
"""
