"""Chat clients that measure how long the server takes to pass their pings on.

Each pinger sends "ping NAME TIME" every INTERVAL seconds; the server sends
it to every other client, and the receiver computes the delay (all clients
share this process's clock). After one second, one more client, sam, sends
"/slow". If the server blocks its loop, every ping waits with him.
"""
import argparse
import asyncio
import json
import os
import statistics
import time

START = float(os.environ.get("DEMO_START", time.monotonic()))  # run.py's clock
NAMES = ["alice", "bob", "carol", "dave", "erin", "frank"]
SLOW_AT = 1.0  # seconds after the start, sam sends /slow
delays = {}  # name -> [(when received, delay)]
pings_sent = []  # when each ping was sent
slow = {}  # "sent", "answered": when sam's /slow went out and came back


def now():
    return time.monotonic() - START


def log(text):
    print(f"[{now():.2f}s] {text}", flush=True)


async def pinger(name, args, done):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    delays[name] = []

    async def listen():
        async for line in reader:
            _, sender, sent = line.decode().split()
            delays[name].append((now(), now() - float(sent)))

    listening = asyncio.ensure_future(listen())
    await asyncio.sleep(args.interval * NAMES.index(name) / args.clients)  # stagger
    while not done.is_set():
        pings_sent.append(now())
        writer.write(f"ping {name} {pings_sent[-1]:.6f}\n".encode())
        await asyncio.sleep(args.interval)
    await asyncio.sleep(0.2)  # the last pings arrive
    listening.cancel()
    writer.close()


async def sam(args, done):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    await asyncio.sleep(SLOW_AT)
    sent = slow["sent"] = now()
    log('sam: sends "/slow"')
    writer.write(b"/slow\n")
    async for line in reader:  # the others' pings pass by too
        if line == b"done\n":
            break
    slow["answered"] = now()
    log(f"sam: /slow answered after {slow['answered'] - sent:.2f} s")
    await asyncio.sleep(1.0)
    done.set()
    writer.close()


async def report_every_second(done):
    seen = 0.0
    while not done.is_set():
        await asyncio.sleep(1.0)
        fresh = [d for got in delays.values() for (t, d) in got if t > seen]
        seen = now()
        if fresh:
            log(f"pings passed on: {len(fresh)}, slowest {max(fresh) * 1000:.0f} ms")
        else:
            log("pings passed on: 0")


async def main(args):
    done = asyncio.Event()
    names = NAMES[:args.clients]
    log(f"{len(names)} clients, {names[0]}..{names[-1]}, ping every {args.interval:g} s;"
        f" sam sends /slow at {SLOW_AT:g} s")
    await asyncio.gather(sam(args, done), report_every_second(done),
                         *(pinger(n, args, done) for n in names))
    print("client  pings got  median   slowest")
    worst = {}
    for name in names:
        got = [d for _, d in delays.get(name, [])]
        worst[name] = max(got, default=0.0)
        median = statistics.median(got) if got else 0.0
        print(f"{name:<7} {len(got):>9} {median * 1000:>6.0f} ms"
              f" {worst[name] * 1000:>6.0f} ms")
    # While sam waited: of the pings the others sent, how many were passed on before
    # his answer came? (Each ping goes to every other pinger.) That, not how long a ping
    # took, tells a blocked loop from a busy machine.
    start, end = slow.get("sent", 0.0), slow.get("answered", 0.0)
    sent = sum(1 for t in pings_sent if start < t < end)
    passed = sum(1 for got in delays.values() for (t, d) in got if start < t - d and t < end)
    share = passed / (sent * (len(names) - 1)) if sent else 0.0
    if args.json:
        print(json.dumps({"sleep": args.sleep, "mode": args.mode, "maxLatency": worst,
                          "duringSlow": {"sent": sent, "passedOn": passed,
                                         "receivers": len(names) - 1}}))
    slowest = max(worst.values())
    if share < 0.5:
        print(f"Conclusion: everyone froze: a ping waited {slowest:.2f} s "
              f"(the sleep is {args.sleep:g} s).")
    else:
        print(f"Conclusion: nobody else waited: slowest ping {slowest * 1000:.0f} ms "
              f"(the sleep is {args.sleep:g} s).")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="the chat server's port")
    parser.add_argument("--host", default="127.0.0.1", help="its address")
    parser.add_argument("--clients", type=int, default=3, choices=range(2, 7),
                        help="how many pingers, 2 to 6 (default 3)")
    parser.add_argument("--interval", type=float, default=0.1,
                        help="seconds between one client's pings (default 0.1)")
    parser.add_argument("--sleep", type=float, default=2.0,
                        help="the server's sleep, for the report (default 2)")
    parser.add_argument("--mode", default="", help="the server's mode, for the report")
    parser.add_argument("--json", action="store_true", help="also print a JSON line")
    args = parser.parse_args()
    try:
        asyncio.run(main(args))
    except KeyboardInterrupt:
        pass
    except OSError as e:
        log(f"clients: {e}")
