"""Read queries of the passports app, always scoped by organization; one module per concern."""
