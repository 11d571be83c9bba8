"""The footprint engine: plain Python over plain data (no Django, no settings, no models), so it is tested and
benchmarked alone (``bench/bench_footprint.py``).

- ``units``: unit parsing and conversion (pint);
- ``gwp``: the greenhouse gases and their global warming potentials (IPCC AR5, AR6);
- ``factors``: emission factor rows, the factor lookup and the CSV reader;
- ``graph``: the process-graph format, parsed and checked into arrays;
- ``footprint``: the technosphere solve of one graph (ISO 14067 stages, biogenic CO2 apart);
- ``graph_builder``: the graph of one product or of a whole catalogue from plain activity and BOM inputs;
- ``catalogue``: every product of a catalogue solved together;
- ``input_hashes``: content fingerprints of a built graph's processes, to skip unchanged recomputations;
- ``regulatory``: figures derived from a footprint (battery performance class, CBAM embedded emissions).

The Django side (reading rows, storing results, scheduling recalculations) is ``lca.selectors``,
``lca.computation`` and ``lca.services``.
"""
