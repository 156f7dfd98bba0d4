"""Data hygiene on converted cases: quality filters, near-duplicate grouping, benchmark decontamination,
the cross-split check."""
