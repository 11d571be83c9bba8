"""The PACT footprint exchange (WBCSD Technical Specifications v2.3 and v3.0): our footprints served to
supply-chain partners, partners' footprints pulled into our bills of materials, and the events between them.
"""
