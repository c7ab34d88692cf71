"""The cooperative's home page: what each member has to do now (the web shell's own page)."""
