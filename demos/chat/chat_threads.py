"""A chat room served by threads: one thread per connection, a lock on shared state.

The same room as chat_asyncio.py: on connect, add me to the set of clients;
on message, send it to every other client; on close, remove me. Each client
gets a thread that blocks in readline(), so the set of clients is shared
between threads and every use of it takes the lock. The server runs as a
process of its own (this file with --serve); the bots and your terminal are
its clients, here.
"""
import signal
import socket
import socketserver
import sys
import threading

from chat_common import (HOST, ME, BOT_NAMES, banner, bot_line, bot_reply,
                         first_delay, goodbye, parse_args, serving, stamp,
                         start_server, stop_server)

clients = set()
lock = threading.Lock()
relayed = most_clients = most_threads = 0


class ChatHandler(socketserver.StreamRequestHandler):
    def handle(self):  # runs in this connection's own thread
        global relayed, most_clients, most_threads
        with lock:
            clients.add(self)  # on connect: add me to the set of clients
            most_clients = max(most_clients, len(clients))
            most_threads = max(most_threads, threading.active_count())
        name = None
        try:
            name = self.rfile.readline().decode(errors="replace").strip() or "guest"
            self.send_to_others(f"* {name} joined")
            for line in self.rfile:  # on message: send it to every other client
                with lock:
                    relayed += 1
                text = line.decode(errors="replace").strip()
                self.send_to_others(f"{name}: {text}")
        except OSError:
            pass  # the connection was cut
        finally:
            with lock:
                clients.discard(self)  # on close: remove me
            if name:
                self.send_to_others(f"* {name} left")

    def send_to_others(self, text):
        with lock:  # another thread may be adding, removing or sending
            for client in clients:
                if client is not self:
                    try:
                        client.wfile.write(text.encode() + b"\n")
                    except OSError:
                        pass  # that client is leaving


class ChatServer(socketserver.ThreadingTCPServer):
    def close_all(self):
        """Stop accepting, then cut every connection so its thread ends."""
        self.shutdown()
        with lock:
            for client in clients:
                try:
                    client.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already gone
        self.server_close()  # waits for the connection threads


def bot(n, port, args, stop):
    """A scripted client: joins, says a line every interval, answers you."""
    sock = socket.create_connection((HOST, port))
    send_lock = threading.Lock()  # two threads write to this socket

    def say(text):
        with send_lock:
            try:
                sock.sendall(text.encode() + b"\n")
            except OSError:
                pass  # the room is closing

    def listen():
        for line in lines_from(sock):
            answer = bot_reply(n, line)
            if answer:
                say(answer)

    say(BOT_NAMES[n])
    listener = threading.Thread(target=listen)
    listener.start()
    delay, k = first_delay(n, args), 0
    while not stop.wait(delay):
        say(bot_line(n, k))
        delay, k = args.interval, k + 1
    sock.shutdown(socket.SHUT_RDWR)  # wakes the listener
    listener.join()
    sock.close()


def lines_from(sock):
    """Yield the lines a socket receives until it is closed or cut."""
    with sock.makefile(encoding="utf-8", errors="replace") as lines:
        try:
            yield from lines
        except OSError:
            pass


def show_room(sock):
    for line in lines_from(sock):
        print(stamp(), line.rstrip(), flush=True)


def talk(me):
    for line in sys.stdin:  # blocks this (the main) thread until you press Enter
        text = line.strip()
        if text == "/quit":
            return "/quit"
        if text:
            me.sendall(text.encode() + b"\n")
    return "end of input"


class TimeUp(Exception):
    pass


def time_up(signum, frame):
    raise TimeUp


def serve(fd):
    """The server process: serves until SIGTERM, then reports its figures."""
    server = ChatServer((HOST, 0), ChatHandler)
    report = serving(fd, server.server_address[1])
    signal.signal(signal.SIGTERM, time_up)
    try:
        server.serve_forever(0.1)  # this (the main) thread accepts
    except TimeUp:
        pass
    server.close_all()
    print(relayed, most_threads, most_clients, file=report, flush=True)


def main():
    args = parse_args(__doc__)
    if args.serve is not None:
        return serve(args.serve)
    server, port, report = start_server(__file__)
    banner("threads (one per connection)", port, args)
    me = socket.create_connection((HOST, port))
    me.sendall(ME.encode() + b"\n")
    stop = threading.Event()
    threads = [threading.Thread(target=show_room, args=(me,))]
    threads += [threading.Thread(target=bot, args=(n, port, args, stop))
                for n in range(args.bots)]
    for thread in threads:
        thread.start()
    signal.signal(signal.SIGALRM, time_up)
    signal.alarm(args.time_limit)
    try:
        how = talk(me)
    except KeyboardInterrupt:
        print()  # after the "^C" the terminal echoed
        how = "Ctrl-C"
    except TimeUp:
        how = "time is up"
    finally:
        signal.alarm(0)
        me.shutdown(socket.SHUT_RDWR)
        stop.set()  # the bots leave while the server still runs
        for thread in threads:
            thread.join()
        me.close()
        relayed_all, in_all, most = stop_server(server, report)
    goodbye(how, relayed_all, in_all, f"{most} of them serving clients")


if __name__ == "__main__":
    main()
