# SPDX-License-Identifier: Apache-2.0
# nft-lib.sh - the host (nftables) side of the end-to-end scenarios, sourced
# after guest-lib.sh: the same checks, with counters read from
# `nft -j list table netdev flowlift` on vb in $NSB.
NFT=${NFT:-nft}

# Per-rule counters in e2e_counts' format (nft-counts.py).
e2e_counts() {
	$IP netns exec $NSB $NFT -j list table netdev flowlift |
		python3 "$E2E_SRC/nft-counts.py" "${SLOW:-60000}"
}

# Load an `nft -f` rule file into $NSB and append the counting catch-all
# that stands for the slow path (whatever no rule decided).
e2e_nft_load() { # FILE
	$IP netns exec $NSB $NFT -f "$1" ||
		{ e2e_fail "nft -f $1 failed"; return 1; }
	e2e_nft_catchall
}

e2e_nft_catchall() {
	$IP netns exec $NSB $NFT add rule netdev flowlift ingress counter \
		comment '"e2e-slow"' ||
		{ e2e_fail "adding the catch-all counter failed"; return 1; }
}

# The program, loaded for BPF_PROG_TEST_RUN only: on this kernel nftables'
# netdev ingress runs after tc ingress, so the program is not attached.
e2e_oracle_load() { # OBJ PIN
	$BPFTOOL prog load "$1" "$2" type classifier ||
		{ e2e_fail "bpftool prog load $1 failed"; return 1; }
}
