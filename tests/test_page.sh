#!/bin/sh
# build/server's web page (GET /) in a real browser: tests/server/browser_page.mjs
# drives a headless Chromium (Debian's chromium package) over the DevTools
# protocol: it types a prompt into the completion playground, clicks Generate and
# sees the streamed text arrive, equal to the server's answer without streaming.
# SKIP (counted as passed) without node or chromium; CHROMIUM=PATH picks the
# browser, CHROMIUM=none skips it. tests/test_server.c checks the page without a
# browser. Run from the repository root after `make`. Prints
# "test_page: N passed, N failed".
B=${BUILD:-build}
if [ ! -x "$B/server" ]; then
    echo "FAIL test_page.sh: $B/server not built (make)"; echo "test_page: 0 passed, 1 failed"; exit 1
fi
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP test_page.sh: node is not installed (the page is not tried in a browser)"
    echo "test_page: 0 passed, 0 failed"; exit 0
fi
if [ "$CHROMIUM" = none ]; then
    echo "SKIP test_page.sh: CHROMIUM=none (the page is not tried in a browser)"
    echo "test_page: 0 passed, 0 failed"; exit 0
fi
if [ -z "$CHROMIUM" ]; then
    for c in chromium chromium-browser google-chrome; do
        if command -v $c >/dev/null 2>&1; then CHROMIUM=$(command -v $c); break; fi
    done
fi
if [ -z "$CHROMIUM" ]; then
    echo "SKIP test_page.sh: chromium is not installed (apt-get install chromium; the page is not tried in a browser)"
    echo "test_page: 0 passed, 0 failed"; exit 0
fi
exec node tests/server/browser_page.mjs "$B/server" "$CHROMIUM"
