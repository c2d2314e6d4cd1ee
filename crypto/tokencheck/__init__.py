"""Whether a token can do every token step of a plan, found out before any key exists.

``check_token`` reads the token's mechanism list and flags and runs small known-answer tests
where a mechanism's name is not enough: probe keys are generated (and destroyed) to learn
whether the token really makes the algorithm and returns a readable public key, and AES key
wrap with padding is compared with RFC 5649 computed in software, both ways. The result,
a ``TokenReport``, says for each need whether and how it can be met, and one sentence for
each that cannot.
"""

from crypto.tokencheck.check import check_token as check_token
from crypto.tokencheck.report import Capability as Capability
from crypto.tokencheck.report import Need as Need
from crypto.tokencheck.report import TokenNeeds as TokenNeeds
from crypto.tokencheck.report import TokenReport as TokenReport
