"""Bulk import of products, passports and LCA data from CSV and XLSX files.

The pipeline, module by module: ``limits`` refuses what is too big or not a spreadsheet; ``formats`` works
out what the file is (encoding, delimiter, decimal convention); ``readers`` streams its rows with a
position to resume from; ``columns`` maps the header row onto the kind's columns (dotted keys, English or
Korean titles, saved mappings) and builds one record per row; ``rows`` judges each record with the same
validation as the web form and the API and writes the good ones in bulk by natural key; ``services`` runs a
job in checkpointed chunks so a killed worker resumes without losing or repeating a row.
"""
