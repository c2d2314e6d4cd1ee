"""CA work with keys inside a PKCS#11 token: keys, certificates, CSRs, CRLs, lint, shares, backups.

Knows nothing of ceremonies or of any user interface.
"""
