#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# nft-counts.py - per-rule counters of the `netdev flowlift` table from
# `nft -j list table netdev flowlift` on stdin, one line per rule:
#   HANDLE VERDICT PACKETS COMMENT
# VERDICT: drop, pass (accept), slowpath (accept commented "slowpath"),
# redirect:DEV (fwd), continue (no verdict), "-" if unknown.
import json
import sys


def verdict(exprs, comment):
    for e in exprs:
        if 'drop' in e:
            return 'drop'
        if 'accept' in e:
            return 'slowpath' if 'slowpath' in comment else 'pass'
        if 'fwd' in e:
            return 'redirect:' + str(e['fwd'].get('dev', '?'))
    return 'continue'


def main():
    slow = sys.argv[1]
    doc = json.load(sys.stdin)
    pos = 0
    for item in doc.get('nftables', []):
        r = item.get('rule')
        if not r:
            continue
        exprs = r.get('expr', [])
        pk = [e['counter']['packets'] for e in exprs if 'counter' in e]
        comment = r.get('comment', '')
        pos += 1
        print(slow if comment == 'e2e-slow' else pos, r['handle'], 'nft',
              verdict(exprs, comment), pk[0] if pk else 0)


if __name__ == '__main__':
    main()
