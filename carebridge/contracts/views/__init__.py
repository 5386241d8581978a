"""The contracts pages: documents.py the contract documents both sides share (the list, a
document and its PDF, the provider's answer), council.py the council's own changes (publish,
issue again, terminate), cplis.py the care package line items and the purchase orders."""
