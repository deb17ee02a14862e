"""Pure functions: raw items -> documents -> extraction rows. No IO of any kind."""
