"""Thread per connection: every idle client holds a whole thread.

The easiest server to write: accept, start a thread, block in recv().
But each connection costs a thread: Python's thread state, the kernel's
task and page tables, and a stack (8 MiB of reserved address space on
Linux, of which only the few pages touched become memory).
Compare its memory per connection with server_asyncio.py.
"""
import os
import resource
import socket
import threading
import time

from c10k_common import (BACKLOG, Meter, die_on_signals, fd_limit_line, log,
                         pool_wall, raise_fd_limit, server_args, spare_threads,
                         stack_line, thread_ceiling_line, thread_limits_line,
                         thread_pool)


def serve(conn, meter):
    """One thread per client: wait in recv() until the client leaves."""
    with conn:
        try:
            while conn.recv(1024):  # idle clients send nothing: we wait here
                pass
        except OSError:
            pass
    meter.closed()


def main():
    def extra(parser):
        parser.add_argument("--max-threads", type=int, default=10_000,
                            help="stop accepting at this many client threads "
                                 "(default 10,000), far below the OS limits")
        parser.add_argument("--address-space-mib", type=int, default=0,
                            help="limit this process's address space (ulimit -v) to "
                                 "show the thread wall in seconds (default 0: no limit)")
        parser.add_argument("--stack-kib", type=int, default=0,
                            help="thread stack size in KiB (default 0: the "
                                 "platform's, 8 MiB reserved on Linux)")
    args = server_args(__doc__, extra)
    if args.address_space_mib:  # each thread reserves its stack in it
        limit = args.address_space_mib * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        log(f"server: address space limited to {args.address_space_mib:,} MiB (ulimit -v),"
            " so the thread wall comes in seconds")
    if args.stack_kib:
        threading.stack_size(args.stack_kib * 1024)
    die_on_signals()  # not KeyboardInterrupt: it would wait for the GIL
    if args.report:  # one of several: server_group.py speaks for us
        raise_fd_limit()
    else:
        log(f"server: {fd_limit_line()}")
        log(f"server: {thread_limits_line()}")
        log(f"server: {stack_line()}")
        log(f"server: thread cap {args.max_threads:,} (--max-threads)")

    listener = socket.create_server((args.host, args.port), backlog=BACKLOG,
                                    reuse_port=args.reuse_port)
    listener.settimeout(0.25)  # wake up now and then to print progress
    meter = Meter(report=args.report)
    host, port = listener.getsockname()[:2]
    log(f"server: thread per connection on {host}:{port} (pid {os.getpid()})")
    ceiling_shown = False
    while True:
        meter.tick()
        if meter.concluded and meter.count >= 1000 and not ceiling_shown:
            ceiling_shown = True  # once, when it first holds
            line = thread_ceiling_line(threading.active_count())
            if line:
                log(f"server: {line}")
        if meter.wall:  # hold what we have; accept no more
            time.sleep(0.25)
            continue
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        except OSError as exc:  # EMFILE, ENFILE, ENOBUFS...
            meter.hit_wall(exc)
            listener.close()
            continue
        if threading.active_count() - 1 >= args.max_threads:
            conn.close()
            meter.hit_wall(f"this demo's thread cap, --max-threads "
                           f"{args.max_threads:,}")
            listener.close()
            continue
        pool = thread_pool() if meter.count % 16 == 0 else None
        if pool and pool[0] >= pool[1] - spare_threads(pool[1]):
            conn.close()  # the machine's last pids are not ours to take
            meter.hit_wall(pool_wall(*pool))
            listener.close()
            continue
        meter.opened()
        try:
            threading.Thread(target=serve, args=(conn, meter),
                             daemon=True).start()
        except (RuntimeError, MemoryError) as exc:  # can't start new thread
            conn.close()
            meter.closed()
            meter.hit_wall(exc)
            listener.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
