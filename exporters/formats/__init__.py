"""One passport version written in the formats partners ask for: JSON, CSV, Battery Pass 1.2.0, AAS.

These are neither credentials (they carry no signature of their own; the signed credential is one of the
formats ``exports`` offers, built by ``exporters.credentials``) nor reports for people (``exporters.reports``):
they are the same data in another exchange format, so they live together. ``exports`` picks the format,
``batterypass`` maps battery data to the Battery Pass model and ``aas`` wraps it as an Asset Administration Shell.
"""
