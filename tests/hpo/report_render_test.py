"""The study report renders in a browser: headless Chromium opens the pages that
hpo_report_fixture writes. --dump-dom shows what the page's own script measured (each chart's
drawn markers and its plot area), which must match the data the fixture wrote; the screenshot
must hold coloured pixels inside every plot area that has points, and none in the empty study's.
Python's standard library only; Chromium is Debian's `chromium` package.
Usage: python3 report_render_test.py path/to/hpo_report_fixture"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

WINDOW = (1280, 2000)


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("FAIL: chromium is not installed; install the Debian package 'chromium' "
             "(scripts/install-deps.sh does)")


def browse(browser, profile, page, *extra):
    """Runs headless Chromium on `page`; returns its stdout."""
    cmd = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *extra,
           "file://" + page]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-3000:]}"
    return p.stdout


class Charts(html.parser.HTMLParser):
    """The attributes of every <svg class="plot"> and of <body>."""

    def __init__(self):
        super().__init__()
        self.charts = {}
        self.body = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("class") == "plot":
            self.charts[a["data-plot"]] = a
        elif tag == "body":
            self.body = a


def charts_of(dom):
    parser = Charts()
    parser.feed(dom)
    return parser


def read_png(path):
    """(width, height, channels, rows): 8-bit RGB or RGBA rows as bytearrays."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unexpected PNG format {header}"
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif kind == 2:
            row = bytearray((a + b) & 255 for a, b in zip(row, prev))
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(row)
        prev = row
    return width, height, bpp, rows


def coloured_pixels(png, area):
    """Pixels inside area (x, y, w, h) whose colour is not a grey: data, not frame or grid."""
    width, height, bpp, rows = png
    x, y, w, h = area
    n = 0
    for row in rows[max(0, y + 1):min(height, y + h - 1)]:
        for i in range(max(0, x + 1), min(width, x + w - 1)):
            r, g, b = row[i * bpp:i * bpp + 3]
            if max(r, g, b) - min(r, g, b) > 60:
                n += 1
    return n


def check(browser, work, page, want, name):
    profile = os.path.join(work, "profile")
    dom = charts_of(browse(browser, profile, page, "--dump-dom"))
    assert dom.body.get("data-charts-rendered") == str(len(want)), (
        f"{name}: the page's script measured {dom.body.get('data-charts-rendered')} charts, "
        f"expected {len(want)}")
    assert set(dom.charts) == set(want), f"{name}: charts {sorted(dom.charts)}, want {sorted(want)}"
    shot = os.path.join(work, name + ".png")
    browse(browser, profile, page, f"--screenshot={shot}")
    png = read_png(shot)
    assert png[:2] == WINDOW, f"{name}: screenshot is {png[:2]}, expected {WINDOW}"
    for chart, points in want.items():
        a = dom.charts[chart]
        assert a["data-points"] == str(points), (
            f"{name} {chart}: data-points {a['data-points']}, want {points}")
        assert a["data-drawn"] == str(points), (
            f"{name} {chart}: the browser drew {a['data-drawn']} markers, want {points}")
        area = [int(v) for v in a["data-area"].split()]
        assert area[2] > 100 and area[3] > 100, f"{name} {chart}: plot area {area}"
        assert area[1] + area[3] <= WINDOW[1], f"{name} {chart}: below the screenshot {area}"
        box = [int(v) for v in a["data-bbox"].split()]
        coloured = coloured_pixels(png, area)
        if points > 0:
            assert box[0] > 0 and box[1] > 0, f"{name} {chart}: empty data box {box}"
            assert coloured >= 10 * points, (
                f"{name} {chart}: {coloured} coloured pixels in the plot area {area} for "
                f"{points} points")
        else:
            assert coloured == 0, f"{name} {chart}: {coloured} coloured pixels, no points"
        print(f"ok {name} {chart}: {points} points, {coloured} coloured pixels in {area}")
    return shot


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    browser = chromium()
    with tempfile.TemporaryDirectory() as work:
        p = subprocess.run([sys.argv[1], work], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, f"fixture: exit {p.returncode}\n{p.stderr}"
        want = json.loads(p.stdout)
        shot = check(browser, work, os.path.join(work, "report.html"), want, "report")
        check(browser, work, os.path.join(work, "empty.html"), {k: 0 for k in want}, "empty")
        keep = os.environ.get("REPORT_SCREENSHOT")
        if keep:
            shutil.copyfile(shot, keep)
    print("report_render_test: all passed")


if __name__ == "__main__":
    main()
