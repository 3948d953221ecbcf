"""The M/M/c configuration of the simulation spec, written in SimPy: customers arrive as a
Poisson process, wait for one of `c` operators, are served for an exponential handle time,
and leave. Prints one line of figures for compare.sh.

Usage: python3 mmc_simpy.py ARRIVALS_PER_HOUR HANDLE_MINUTES OPERATORS HOURS SEED
Needs SimPy: pip install simpy
"""

import random
import sys
import time

import simpy


def run(arrivals_per_hour, handle_minutes, operators, hours, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=operators)
    horizon = hours * 60.0  # minutes
    rate = arrivals_per_hour / 60.0
    stats = {"customers": 0, "waited": 0, "wait": 0.0}

    def customer():
        arrived = env.now
        with desk.request() as req:
            yield req
            waited = env.now - arrived
            stats["customers"] += 1
            stats["waited"] += waited > 0
            stats["wait"] += waited
            yield env.timeout(rng.expovariate(1.0 / handle_minutes))

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(customer())

    env.process(arrivals())
    events = 0
    started = time.perf_counter()
    while env.peek() < horizon:
        env.step()
        events += 1
    wall = time.perf_counter() - started
    return stats, events, wall


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    arrivals, handle, operators, hours, seed = sys.argv[1:]
    stats, events, wall = run(float(arrivals), float(handle), int(operators), float(hours), int(seed))
    n = stats["customers"]
    print(
        f"simpy customers={n} events={events} wall={wall:.3f} "
        f"customers_per_s={n / wall:.0f} events_per_s={events / wall:.0f} "
        f"p_wait={stats['waited'] / max(n, 1):.4f} mean_wait_min={stats['wait'] / max(n, 1):.4f}"
    )


if __name__ == "__main__":
    main()
