#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sums the results of one or more Meson test logs into the final line
'N passed, N failed, N skipped'. Exit status 1 if anything failed."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as log:
        for line in log:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
