"""A stand-in for the council systems Carebridge talks to: a real HTTP server on loopback that
the tests and `make demo` start, speaking the same wire shapes as the real peers (the
case-management feed and updates, the Dataverse Web API), with faults that can be turned on
(failures, timeouts, duplicates, out-of-order delivery, slow answers).

    with Simulator() as sim:              # on 127.0.0.1, a free port
        sim.faults.failure_rate = 0.3     # 30 % of requests answer 500
        ... sim.url ...

Each peer is a `Peer` (simulator/server.py) mounted at its own path prefix; its state is kept in
memory, under the simulator's lock, and read by the tests.
"""

from carebridge.integrations.simulator.server import Faults, Peer, Reply, Simulator

__all__ = ["Faults", "Peer", "Reply", "Simulator"]
