"""The models: pure numpy and the standard library, no I/O, no pandas.

Each module is one model of the mining economy (units, chain, hashprice, machines, fleet, network,
security, pivot, lsmc); they take numbers and arrays and return numbers and arrays, and every
invalid argument raises ``ValueError`` naming it.
"""
