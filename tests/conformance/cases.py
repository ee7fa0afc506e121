"""The conformance cases: each a name and a list of calls made in order on an empty
account. A call compares its outcome between moto and iamsh; `aws=` marks an intended
divergence (what AWS answers where moto is lenient) and `doc=` the AWS documentation
it follows. casesa.py: roles, users, groups; casesb.py: policies, attachments, keys,
profiles, providers; casesc.py: the account, STS and authorization."""
from casesa import CASES_A
from casesb import CASES_B
from casesc import CASES_C

CASES = CASES_A + CASES_B + CASES_C
