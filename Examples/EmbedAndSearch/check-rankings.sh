#!/usr/bin/env bash
# Builds and runs the EmbedAndSearch example, then checks that its rankings equal those of
# `clipscope search` for the same queries and sizes (read from the example's `# query Q dims D` lines):
# same files at the same ranks. Scores are printed by both but not compared (4 decimals may round apart).
# Debug builds: the example in its own .build (kept between runs), the CLI in the repository's .build
# (already compiled by `swift test`, so only linked here). A fresh index cache in a temporary folder.
#   Examples/EmbedAndSearch/check-rankings.sh          (from any folder; SWIFT overrides `swift`)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SWIFT=${SWIFT:-swift}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$SWIFT" build --package-path "$here" >"$tmp/build-example.log" 2>&1 || { cat "$tmp/build-example.log"; exit 1; }
example="$("$SWIFT" build --package-path "$here" --show-bin-path)/EmbedAndSearch"
"$SWIFT" build --package-path "$root" --product clipscope >"$tmp/build-cli.log" 2>&1 || { cat "$tmp/build-cli.log"; exit 1; }
cli="$("$SWIFT" build --package-path "$root" --show-bin-path)/clipscope"

"$example" >"$tmp/example.txt"
export CLIPSCOPE_CACHE_DIR="$tmp/cache"
: >"$tmp/cli.txt"
top=0
while IFS= read -r line; do
    case "$line" in
    "# query "*)
        rest=${line#"# query "}
        query=${rest% dims *}
        dims=${rest##* dims }
        top=$(awk -v q="$line" 'f && /^#/ { exit } f { n++ } $0 == q { f = 1 } END { print n + 0 }' "$tmp/example.txt")
        echo "$line" >>"$tmp/cli.txt"
        "$cli" search "$root/Assets/demo" --model "$root/Assets/models/demo" --text "$query" --dims "$dims" \
            --top "$top" >>"$tmp/cli.txt" 2>"$tmp/cli-stderr.log" || { cat "$tmp/cli-stderr.log"; exit 1; }
        ;;
    esac
done <"$tmp/example.txt"

ranks() { awk '/^# query / { print; next } NF == 3 && $1 ~ /^[0-9]+$/ { print $1, $3 }' "$1"; }
if ! diff <(ranks "$tmp/example.txt") <(ranks "$tmp/cli.txt") >"$tmp/diff.txt"; then
    echo "check-rankings: the example's rankings differ from clipscope search (< example, > clipscope):" >&2
    cat "$tmp/diff.txt" >&2
    exit 1
fi
n=$(grep -c '^# query' "$tmp/example.txt")
if [ "$n" -eq 0 ]; then echo "check-rankings: the example printed no rankings" >&2; cat "$tmp/example.txt" >&2; exit 1; fi
echo "check-rankings: $n rankings of the EmbedAndSearch example equal clipscope search's"
