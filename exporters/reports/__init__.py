"""Compliance reports of passports: the PDF report, the CBAM communication, batch packs and verification.

Plain-Python builders (``labels``, ``clauses``, ``content``, ``cbam``, ``seal``) turn passport data into
``exporters.reports.pdf`` documents and CBAM files; the Django side (``selectors``, ``packs``, ``tasks``,
``verification``) reads versions scoped to one organization and stores the results.
"""
