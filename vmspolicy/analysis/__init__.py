"""Analysis: what the estate is, computed once per run and shared by the rules.

The estate model built from the documents, vendor identification, policy
(packs, verdicts, mandatory rules), reachability and the isolation analysis,
waivers. Analyses never create a finding of a rule class; they know rules by
their codes only.
"""
