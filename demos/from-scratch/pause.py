"""A function that can pause: a generator, driven by hand with send().

The first send() runs it to its first `yield`, which hands a value out; the
generator is now frozen, its local variables kept in a frame on the heap.
The next send() resumes it with a value; when it returns, its return value
travels out inside StopIteration. Pause, resume with a value, finish with a
result: everything a coroutine needs.
"""
import sys


# slide: generator
def gen():
    x = yield 1
    print("got", x)
    return "done"


def main():
    g = gen()
    print(g.send(None))  # runs to the first yield: 1
    try:
        g.send("hello")  # resumes it: prints "got hello"
    except StopIteration as stop:
        print(stop.value)  # its return value: done
# end slide
    paused = gen()
    paused.send(None)
    print(f"Conclusion: a paused generator keeps its frame ({sys.getsizeof(paused.gi_frame)}"
          f" bytes here) and resumes where it stopped.")


if __name__ == "__main__":
    main()
