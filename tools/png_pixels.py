#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check pixels of a PNG: png_pixels.py FILE X,Y=#RRGGBB ...

Reads the PNG with zlib alone (8-bit RGB or RGBA, not interlaced: what
Chromium's screenshots are) and compares each named pixel with its
colour, within a small tolerance for the renderer's rounding. Prints one
line a pixel; exits 1 if any differs, 2 if the file is no such PNG.
"""
import struct
import sys
import zlib

TOLERANCE = 6


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("only 8-bit RGB(A), not interlaced")
    bpp = 3 if colour == 2 else 4
    return width, height, bpp, unfilter(zlib.decompress(idat), width, height, bpp)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, width, height, bpp):
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            corner = prev[i - bpp] if i >= bpp else 0
            pred = (0, left, up, (left + up) // 2, paeth(left, up, corner))[kind]
            line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    return rows


def main(argv):
    try:
        width, height, bpp, rows = read_png(argv[1])
    except (OSError, ValueError, TypeError, zlib.error) as e:
        print(f"{argv[1]}: {e}")
        return 2
    bad = 0
    for spec in argv[2:]:
        where, colour = spec.split("=")
        x, y = (int(v) for v in where.split(","))
        want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        if not (0 <= x < width and 0 <= y < height):
            print(f"({x},{y}): outside the {width}x{height} picture")
            bad += 1
            continue
        got = tuple(rows[y][x * bpp:x * bpp + 3])
        ok = all(abs(g - w) <= TOLERANCE for g, w in zip(got, want))
        print(f"({x},{y}): #{bytes(got).hex()} {'ok' if ok else 'want ' + colour}")
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
