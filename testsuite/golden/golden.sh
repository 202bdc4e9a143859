# golden.sh: shared by run and regen.
# golden_compile BUILD OBJ NAME EXT: print what `flowlift compile` gives for
# target EXT (or, for err, its stderr line and exit code; for explain, what
# `flowlift explain` says of the IR rules: paths, source lines, instructions
# and slow-path reasons).
GOLDEN_EXTS="ir flower nft rteflow err explain"
golden_maps() {
	for f in "$1".*.json; do
		[ -f "$f" ] || continue
		m=${f#"$1".}
		m=${m%.json}
		printf ' --map %s=%s' "$m" "$f"
	done
}

golden_compile() {
	_b=$1 _o=$2 _n=$3 _e=$4
	_args=$(golden_maps "$_n")
	[ -f "$_n.args" ] && _args="$_args $(cat "$_n.args")"
	case $_e in
	flower|nft) _args="$_args --target $_e --dev eth0" ;;
	rteflow) _args="$_args --target $_e --port 0" ;;
	*) _args="$_args --target ir" ;;
	esac
	if [ "$_e" = explain ]; then
		# shellcheck disable=SC2086
		"$_b/flowlift" explain "$_o" $_args 2>&1 || echo "exit $?"
	elif [ "$_e" = err ]; then
		# shellcheck disable=SC2086
		"$_b/flowlift" compile "$_o" $_args -q >/dev/null 2>"$_o.stderr"
		echo "exit $?"
		sed "s|$_o|OBJ|g" "$_o.stderr"
		rm -f "$_o.stderr"
	else
		# shellcheck disable=SC2086
		"$_b/flowlift" compile "$_o" $_args -q 2>/dev/null ||
			echo "exit $?"
	fi
}
