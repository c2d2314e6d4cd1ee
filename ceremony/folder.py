"""The names of the files in a ceremony folder, declared once (a leaf: it imports nothing).

The runner, the steps, the plan check, the transcript, the inventory and the app all find a
ceremony's files by these names.
"""

JOURNAL_NAME = "journal.jsonl"
TRANSCRIPT_NAME = "transcript.pdf"
BACKUP_FOLDER = "backup"  # the wrapped key and its metadata, inside the ceremony folder

# Artifacts, by the ceremony that writes them.
ROOT_CERTIFICATE = "root-ca.pem"  # root
CSR_FILE = "intermediate-ca.csr"  # intermediate-key
SIGNED_FILE = "intermediate-ca.pem"  # sign
CRL_FILE = "root-ca.crl"  # crl
CROSS_FILE = "cross-certificate.pem"  # cross
RENEWED_FILE = "root-ca-renewed.pem"  # renewal
SIGNER_FILE = "ocsp-signer.pem"  # ocsp
REQUEST_FILE = "ocsp-signer.csr"  # ocsp
