"""Parsers of legal text shared by converters, tasks, the adversarial generator and evaluation: charges, citations,
terms, numerals, attitude."""
