"""LCA's web pages: footprints (``footprints``) and the PACT exchange (``pact``), routed by ``urls``."""
