"""Write operations of the passports app, one module per concern; each function is one transaction."""
