"""The kit's outbox: telemetry records not yet delivered, and recent ones kept for replay
(MicroPython-compatible).

:class:`FlashOutbox` keeps them on the board's filesystem (a *flash* object, ``mkfw.flashfs``), so
they survive a power cut and a reboot; :class:`RamOutbox` is the same interface in RAM for boards
without a filesystem. :func:`open_outbox` picks one for a hardware layer.

**On flash: a ring of append-only segment files** in ``/mkfw_outbox/``. Each record is one line
appended to the newest segment, ``SEQ CRC32 PAYLOAD\\n`` (decimal seq, 8 hex digits of the
payload's CRC-32, the JSON payload as published). No file is ever rewritten per reading: a segment
takes ``SEGMENT_RECORDS`` records or ``SEGMENT_BYTES`` bytes, then the next one starts; when
``SEGMENTS`` segments exist the oldest is deleted (its undelivered records count in ``dropped``).
What was delivered is one number, the *ack watermark* (every ``seq`` up to it is delivered or gone;
QoS 1 publishing and the bridge's ACK both deliver in order), appended as a line to ``ack`` at most
every ``ACK_SAVE_MS`` (and when the ring wraps); ``ack`` is compacted to one line every
``ACK_COMPACT`` lines. A power cut loses at most that interval of the watermark: those records are
sent again, and the collector stores them once.

**A power cut mid-write** leaves a torn last line: it fails its CRC (or has no newline) and is skipped
when the ring is read at boot; the next record then goes into a fresh segment, so a good line never
follows a torn one. Nothing in the ring is trusted without its CRC.

**Size.** 16 segments of up to 256 records or 80 KiB: the ring holds 3,840 to 4,096 records (the
newest 15 full segments plus the current one), 64 minutes or more at one reading a second, for
records of up to 320 bytes on flash, and never takes more than 16 x 80 KiB = 1.25 MiB. A usual
classroom reading (temperature and humidity with units, ``time``, ``inc``) is 241 bytes on flash,
so an hour (3,600 records) takes 868 KB and a full ring about 0.95 MiB: it fits the 2 MiB
filesystem MicroPython makes on a 4 MB ESP32, beside the firmware. Bigger records are bounded by
the bytes (fewer per segment); on a fuller filesystem an append that finds no room gives up the
oldest segment and tries again, so the ring shrinks to the room there is. Wear: one small append per
reading (littlefs writes at most the file's last 4 KiB block again for it, spread over the whole
filesystem by its wear levelling), one ack line per ``ACK_SAVE_MS`` at most, one file deleted per
256 readings; no file is rewritten per reading.

**RAM** holds only the last ``RAM_CACHE`` records (what a connected kit publishes next) and one
small index entry per segment; delivering after an outage and answering replays read the flash from
a cursor, a few KiB at a time. The ring is read once at boot to rebuild the index.

Interface (both classes): ``make_room()``, ``append(seq, payload)``, ``ack(upto)``, ``acked``, ``dropped``,
``pending()``, ``undelivered(limit)`` -> ``[(seq, payload)]``, ``records(first, last, limit, pos)``
-> ``(records, pos)``, ``missing(first, last)`` -> ``[[a, b], ...]``, ``save(now_ms, force)``,
``renumbered(next_seq)``.
"""

try:
    from binascii import crc32 as _crc32
except ImportError:   # a port built without it: a simple checksum of the same width
    _crc32 = None

DIR = "/mkfw_outbox"
ACK_FILE = DIR + "/ack"
SEGMENTS = 16
SEGMENT_RECORDS = 256
SEGMENT_BYTES = 80 * 1024
RAM_CACHE = 16            # records kept in RAM for the next publish (the flash has all of them)
RAM_CAPACITY = 500        # records a board without a filesystem keeps (RamOutbox)
ACK_SAVE_MS = 5000        # how often a moving ack watermark is written to flash at most
ACK_COMPACT = 64          # ack lines before the ack file is rewritten as one line
CHUNK = 2048              # bytes read from a segment at a time
MAX_LINE = 8192           # a longer run of bytes without a newline is garbage, skipped


def checksum(data):
    if _crc32 is not None:
        return _crc32(data) & 0xFFFFFFFF
    s = 0
    for b in data:
        s = (s * 31 + b) & 0xFFFFFFFF
    return s


def encode(seq, payload):
    return ("%d %08x " % (seq, checksum(payload))).encode() + payload + b"\n"


def decode(line):
    """``(seq, payload)`` from one line without its newline, or None when it is torn or damaged."""
    i = line.find(b" ")
    if i <= 0 or len(line) < i + 10 or line[i + 9:i + 10] != b" ":
        return None
    try:
        seq = int(line[:i])
        crc = int(line[i + 1:i + 9], 16)
    except ValueError:
        return None
    payload = line[i + 10:]
    if seq < 0 or checksum(payload) != crc:
        return None
    return seq, payload


def open_outbox(hal, capacity=RAM_CAPACITY):
    """A FlashOutbox on ``hal.flash()`` when the board has a filesystem, else a RamOutbox."""
    flash_of = getattr(hal, "flash", None)   # hardware layers without storage have no such method
    fs = flash_of() if flash_of is not None else None
    if fs is not None:
        try:
            return FlashOutbox(fs)
        except OSError:   # a filesystem that cannot hold the ring: keep the readings in RAM
            pass
    return RamOutbox(capacity)


def _holes(first, last, seqs):
    """Ranges of ``first..last`` not in the ascending iterable ``seqs``."""
    out = []
    nxt = first
    for seq in seqs:
        if seq > nxt:
            out.append([nxt, min(seq - 1, last)])
        if seq + 1 > nxt:
            nxt = seq + 1
    if nxt <= last:
        out.append([nxt, last])
    return out


class RamOutbox:
    """The outbox in RAM: the newest ``capacity`` records (lost with the power)."""

    def __init__(self, capacity=RAM_CAPACITY):
        self.capacity = capacity
        self.entries = []          # [seq, payload], oldest first
        self.acked = 0
        self.dropped = 0
        self.write_errors = 0

    def renumbered(self, next_seq):
        if self.acked >= next_seq:
            self.acked = next_seq - 1

    def make_room(self):
        """Drop what the next append would push out now, so its ``dropped`` is up to date."""
        while len(self.entries) >= self.capacity:
            old = self.entries.pop(0)
            if old[0] > self.acked:
                self.dropped += 1
                self.acked = old[0]

    def append(self, seq, payload):
        self.make_room()
        self.entries.append([seq, payload])

    def ack(self, upto):
        if upto > self.acked:
            self.acked = upto

    def pending(self):
        n = 0
        for e in self.entries:
            if e[0] > self.acked:
                n += 1
        return n

    def undelivered(self, limit):
        out = []
        for e in self.entries:
            if e[0] > self.acked:
                out.append((e[0], e[1]))
                if len(out) >= limit:
                    break
        return out

    def records(self, first, last, limit, pos=None):
        """As :meth:`FlashOutbox.records`; the position handed back only says "there may be more"
        (the next call starts again from ``first``, which the caller moves past what it got)."""
        out = []
        for e in self.entries:
            if first <= e[0] <= last:
                if len(out) >= limit:
                    return out, [e[0], 0]
                out.append((e[0], e[1]))
        return out, None

    def missing(self, first, last):
        return _holes(first, last, [e[0] for e in self.entries if first <= e[0] <= last])

    def save(self, now_ms=0, force=False):
        pass


class FlashOutbox:
    """The ring of segment files (see the module docstring)."""

    def __init__(self, fs, directory=DIR, segments=SEGMENTS, segment_records=SEGMENT_RECORDS,
                 segment_bytes=SEGMENT_BYTES):
        self.fs = fs
        self.dir = directory
        self.ack_path = directory + "/ack"
        self.max_segments = segments
        self.segment_records = segment_records
        self.segment_bytes = segment_bytes
        self.segs = []             # [number, first seq, last seq, records, bytes], oldest first
        self.acked = 0
        self.dropped = 0
        self.torn = 0              # segments found at boot ending in a torn or damaged record
        self.write_errors = 0
        self._sealed = False       # the newest segment ends in a torn record: start another
        self._cursor = None        # [segment number, offset]: every record before it is delivered
        self._tail = []            # the newest records, (seq, payload)
        self._tail_prev = 0        # seq of the record just before _tail[0] in the ring (0: none)
        self._saved = 0
        self._ack_lines = 0
        self._next_save = None
        self._dir_made = False
        self._load()

    # --- reading -----------------------------------------------------------------------------
    def _path(self, num):
        return "%s/%08d" % (self.dir, num)

    def _scan(self, num, offset):
        """Yield ``(seq, payload, end_offset)`` for every whole, intact record from ``offset`` on."""
        path = self._path(num)
        buf = b""
        pos = offset               # file offset of buf[0]
        while True:
            try:
                chunk = self.fs.read(path, pos + len(buf), CHUNK)
            except OSError:
                return
            if not chunk:
                return             # what is left in buf has no newline: a torn last record
            buf += chunk
            k = buf.find(b"\n")
            while k >= 0:
                rec = decode(buf[:k])
                pos += k + 1
                buf = buf[k + 1:]
                if rec is not None:
                    yield rec[0], rec[1], pos
                k = buf.find(b"\n")
            if len(buf) > MAX_LINE:
                pos += len(buf)
                buf = b""

    def _load(self):
        try:
            names = self.fs.listdir(self.dir)
            self._dir_made = True
        except OSError:           # made with the first record: a kit that records nothing has none
            names = []
        nums = []
        for name in names:
            if name.isdigit():
                nums.append(int(name))
        nums.sort()
        clean = True
        for num in nums:
            first = None
            last = count = end = 0
            for seq, payload, end in self._scan(num, 0):
                if first is None:
                    first = seq
                last = seq
                count += 1
            size = self.fs.size(self._path(num))
            clean = size == end
            if not clean:
                self.torn += 1
            if first is None:
                self.fs.remove(self._path(num))
                continue
            self.segs.append([num, first, last, count, size])
        if self.segs:
            self._sealed = not clean
            self._tail_prev = self.segs[-1][2]
        self.acked = self._saved = self._load_ack()

    def _load_ack(self):
        try:
            data = self.fs.read(self.ack_path, 0, -1)
        except OSError:
            return 0
        best = 0
        lines = data.split(b"\n")
        self._ack_lines = len(lines) - 1
        for line in lines[:-1]:   # what follows the last newline may be torn
            try:
                best = max(best, int(line))
            except ValueError:
                pass
        return best

    def _seek(self, seq):
        """Index of the segment that may hold ``seq`` (the last one starting at or before it)."""
        i = 0
        for j in range(len(self.segs)):
            if self.segs[j][1] <= seq:
                i = j
        return i

    def _index(self, num):
        for i in range(len(self.segs)):
            if self.segs[i][0] == num:
                return i
        return -1

    def undelivered(self, limit):
        """Up to ``limit`` records after the ack watermark, oldest first."""
        if self._tail and self._tail_prev <= self.acked:
            out = []
            for rec in self._tail:
                if rec[0] > self.acked:
                    out.append(rec)
                    if len(out) >= limit:
                        break
            return out
        return self._undelivered_from_flash(limit)

    def _undelivered_from_flash(self, limit):
        out = []
        cur = self._cursor
        if cur is None or self._index(cur[0]) < 0:
            if not self.segs:
                return out
            cur = self._cursor = [self.segs[self._seek(self.acked + 1)][0], 0]
        moving = True              # the cursor follows while everything before is delivered
        for i in range(self._index(cur[0]), len(self.segs)):
            seg = self.segs[i]
            if seg[0] != cur[0] and moving:
                cur[0], cur[1] = seg[0], 0
            if seg[2] <= self.acked:
                continue
            for seq, payload, end in self._scan(seg[0], cur[1] if seg[0] == cur[0] else 0):
                if seq <= self.acked:
                    if moving:
                        cur[1] = end
                    continue
                moving = False
                out.append((seq, payload))
                if len(out) >= limit:
                    return out
        return out

    def records(self, first, last, limit, pos=None):
        """Up to ``limit`` held records with ``first <= seq <= last``, and where to go on from
        (pass it back as ``pos`` with ``first`` = the next seq to answer; None: nothing more)."""
        out = []
        if not self.segs:
            return out, None
        i = self._index(pos[0]) if pos is not None else -1
        offset = pos[1] if i >= 0 else 0
        if i < 0:
            i = self._seek(first)
        while i < len(self.segs):
            num = self.segs[i][0]
            if self.segs[i][2] >= first:
                for seq, payload, end in self._scan(num, offset):
                    if seq > last:
                        return out, None
                    if seq >= first:
                        out.append((seq, payload))
                        if len(out) >= limit:
                            return out, [num, end]
                    offset = end
            i += 1
            offset = 0
        return out, None

    def missing(self, first, last):
        """Ranges of ``first..last`` the ring does not hold (the caller bounds ``last - first``)."""
        seqs = []
        pos = None
        nxt = first
        while nxt <= last:
            got, pos = self.records(nxt, last, 64, pos)
            for rec in got:
                seqs.append(rec[0])
            if pos is None:
                break
            nxt = got[-1][0] + 1
        return _holes(first, last, seqs)

    def pending(self):
        n = 0
        if self._tail and self._tail_prev <= self.acked:
            for rec in self._tail:
                if rec[0] > self.acked:
                    n += 1
            return n
        for seg in self.segs:
            if seg[1] > self.acked:
                n += seg[3]
            elif seg[2] > self.acked:
                for seq, payload, end in self._scan(seg[0], 0):
                    if seq > self.acked:
                        n += 1
        return n

    # --- writing -------------------------------------------------------------------------------
    def renumbered(self, next_seq):
        """The kit numbers from ``next_seq`` on: a ring holding numbers at or above it belongs to a
        numbering that was lost (counters erased); its undelivered records are dropped (counted)."""
        if (self.segs and self.segs[-1][2] >= next_seq) or self.acked >= next_seq:
            while self.segs:
                self._drop_oldest()
            self.acked = next_seq - 1
            self.save(force=True)
            self._tail = []
            self._tail_prev = 0

    def _drop_oldest(self):
        seg = self.segs.pop(0)
        if seg[2] > self.acked:
            if seg[1] > self.acked:
                self.dropped += seg[3]
            else:
                for seq, payload, end in self._scan(seg[0], 0):
                    if seq > self.acked:
                        self.dropped += 1
            self.acked = seg[2]
            self._next_save = 0          # write the watermark soon: those records are gone
        try:
            self.fs.remove(self._path(seg[0]))
        except OSError:
            pass
        if self._cursor is not None and self._cursor[0] == seg[0]:
            self._cursor = None

    def _segment_for(self, seq, size):
        seg = self.segs[-1] if self.segs else None
        if (seg is None or self._sealed or seg[3] >= self.segment_records
                or (seg[4] and seg[4] + size > self.segment_bytes)):
            while len(self.segs) >= self.max_segments:
                self._drop_oldest()
            seg = [self.segs[-1][0] + 1 if self.segs else 0, seq, seq, 0, 0]
            self.segs.append(seg)
            self._sealed = False
        return seg

    def _ensure_dir(self):
        if not self._dir_made:
            try:
                self.fs.mkdir(self.dir)
            except OSError:       # already there
                pass
            self._dir_made = True

    def _write(self, seq, line):
        seg = self._segment_for(seq, len(line))
        self._ensure_dir()
        try:
            self.fs.append(self._path(seg[0]), line)
        except OSError:
            self.write_errors += 1
            if seg[3] == 0:
                self.segs.pop()    # the new segment never got its file
            return None
        if seg[3] == 0:
            seg[1] = seq
        seg[2] = seq
        seg[3] += 1
        seg[4] += len(line)
        return seg

    def make_room(self):
        """When the next record starts a segment and the ring is full, drop the oldest segment now,
        so the record's ``dropped`` is up to date."""
        if self.segs and self.segs[-1][3] >= self.segment_records:
            while len(self.segs) >= self.max_segments:
                self._drop_oldest()

    def append(self, seq, payload):
        line = encode(seq, payload)
        if self._write(seq, line) is None and self.segs:
            # the filesystem is full: the oldest segment makes room, then once more in a fresh one
            self._drop_oldest()
            self._sealed = True
            self._write(seq, line)
        # kept in RAM too: published from there while the kit runs (and, if the flash refused it,
        # lost only with the power)
        self._tail.append((seq, payload))
        if len(self._tail) > RAM_CACHE:
            self._tail_prev = self._tail.pop(0)[0]

    def ack(self, upto):
        if upto > self.acked:
            self.acked = upto

    def save(self, now_ms=0, force=False):
        """Write the ack watermark when it moved and ``ACK_SAVE_MS`` passed (or ``force``)."""
        if self.acked == self._saved:
            return
        if not force and self._next_save is not None and now_ms - self._next_save < 0:
            return
        line = ("%d\n" % self.acked).encode()
        self._ensure_dir()
        try:
            if self._ack_lines >= ACK_COMPACT:
                self.fs.write(self.ack_path + ".new", line)
                self.fs.rename(self.ack_path + ".new", self.ack_path)
                self._ack_lines = 1
            else:
                self.fs.append(self.ack_path, line)
                self._ack_lines += 1
            self._saved = self.acked
        except OSError:
            self.write_errors += 1
        self._next_save = now_ms + ACK_SAVE_MS
