"""Carbon footprints: emission factors, activity data, bills of materials, the footprint engine and the PACT
exchange. Above ``passports`` and ``core``, below ``exporters`` (``tests/test_layering.py``).

- ``engine/``: the footprint engine, plain Python with no Django (units, gwp, factors, graph, footprint,
  graph_builder, catalogue, input_hashes, regulatory);
- ``models``, ``selectors`` (reads, scoped by organization), ``services`` (writes, the one place callers
  write through), ``computation`` (solving and storing footprints), ``recalculation`` and ``tasks``
  (recomputing what a changed factor or supplier footprint touches), ``factor_datasets`` (factor CSVs);
- ``data/``: the shipped open dataset of emission factors with its sources;
- ``imports``: the ``activity-data`` and ``bom-lines`` import kinds, registered with the import framework of
  ``passports`` at start (``apps.LcaConfig.ready``);
- ``api/`` (its routes under ``/api/v1/``), ``web/`` (the footprint and PACT pages, ``templates/lca/``);
- ``pact/``: the PACT (WBCSD) exchange, as a host partners read from and as a client of suppliers' hosts;
- ``demo``, ``management/commands/``, ``admin``.
"""
