"""The engine's seeded random numbers, ported exactly: seedrandom's Alea generator and the engine's Rng on top.

Every random choice of a run that is not pixel noise (the labeled subset, the batch order, the unlabeled picks,
each image's shift, flip and cut-out, the initial weights) comes from one generator per purpose, seeded with
"<seed>:<purpose>". Python floats are IEEE doubles like JavaScript numbers, so these are the engine's draws, value
for value: the project trains on the images the page trained on, in the same order.
"""
import math


class Alea:
    """Johannes Baagøe's Alea (as in the npm package seedrandom, lib/alea.js)."""

    def __init__(self, seed: str):
        mash = _Mash()
        self.c = 1
        self.s0 = mash(" ")
        self.s1 = mash(" ")
        self.s2 = mash(" ")
        self.s0 -= mash(seed)
        if self.s0 < 0:
            self.s0 += 1
        self.s1 -= mash(seed)
        if self.s1 < 0:
            self.s1 += 1
        self.s2 -= mash(seed)
        if self.s2 < 0:
            self.s2 += 1

    def __call__(self) -> float:
        """Uniform in [0, 1)."""
        t = 2091639 * self.s0 + self.c * 2.3283064365386963e-10  # 2^-32
        self.s0 = self.s1
        self.s1 = self.s2
        self.c = int(t)  # t | 0 (t is positive and below 2^31)
        self.s2 = t - self.c
        return self.s2


class _Mash:
    def __init__(self):
        self.n = 0xEFC8249D

    def __call__(self, data: str) -> float:
        n = self.n
        units = data.encode("utf-16-le")  # charCodeAt reads UTF-16 code units
        for i in range(0, len(units), 2):
            n += units[i] | units[i + 1] << 8
            h = 0.02519603282416938 * n
            n = int(h) % 2**32  # h >>> 0
            h -= n
            h *= n
            n = int(h) % 2**32
            h -= n
            n += h * 0x100000000  # 2^32
        self.n = n
        return (int(n) % 2**32) * 2.3283064365386963e-10  # 2^-32


class Rng:
    """src/engine/util/rng.ts: one generator per purpose of a run."""

    def __init__(self, seed, purpose: str = ""):
        self.next = Alea(f"{seed}:{purpose}")
        self.spare_normal = None

    def uniform(self) -> float:
        return self.next()

    def int(self, n: int) -> int:
        """Integer in [0, n)."""
        return math.floor(self.next() * n)

    def normal(self) -> float:
        """Standard normal (Box–Muller, pairs cached)."""
        if self.spare_normal is not None:
            v, self.spare_normal = self.spare_normal, None
            return v
        u = 0.0
        while u == 0:
            u = self.next()
        v = self.next()
        r = math.sqrt(-2 * math.log(u))
        self.spare_normal = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)

    def shuffle(self, a: list) -> list:
        """Fisher–Yates in place, as the engine does it."""
        for i in range(len(a) - 1, 0, -1):
            j = self.int(i + 1)
            a[i], a[j] = a[j], a[i]
        return a

    def int32(self) -> int:
        """A 31-bit seed for other generators (the engine seeds its noise with it)."""
        return math.floor(self.next() * 0x7FFFFFFF)
