"""Reaching a passport from the product: GS1 Digital Link resolution, linksets, QR carriers, kept answers.

``digital_link`` decides what a GS1-Conformant resolver answers (plain Python, with GS1's files in ``gs1/``),
``linkset`` builds the links a passport offers, ``carriers`` draws the QR codes that carry its URI, and
``public_cache`` keeps the anonymous answers of a scan. The views that serve them are ``exporters.web``.
"""
