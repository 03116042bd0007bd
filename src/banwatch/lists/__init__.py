"""Official sanctions and export-control lists: one reader per published format
(ofac.py, un.py, dpl.py, csl.py, ftm.py, catalog_parties.py), each turning the
agency's files into `ListedEntity` models. The agency's format ends at its
reader; everything after works on the model."""
