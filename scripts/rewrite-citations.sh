#!/usr/bin/env bash
# Points every citation of the shared domain reference at the repository's own copy,
# docs/reference.md, which keeps the same § numbering. Idempotent: a second run changes nothing.
#   arr-reference.md §3.2  /  arr-reference §3.2  /  reference §3.2  ->  docs/reference.md §3.2
#   shared/reference/arr-reference.md                                ->  docs/reference.md
# Two scenarios cite "§3.2 row 3" for the resolve and send timeouts, which §3.2 treats in the note
# under its table, not in a row: those become "§3.2 timeouts".
# Run from anywhere; it edits tracked *.ts, *.mts, *.mjs, *.yaml, *.yml and *.md files in place
# (docs/reference.md itself, and test/reference.test.ts, which holds the old forms on purpose, excluded) and lists the files it changed. Inside a regex literal
# (`toThrow(/… reference §3/)`) the slash is escaped.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files -- '*.ts' '*.mts' '*.mjs' '*.yaml' '*.yml' '*.md' | grep -vxE 'docs/reference.md|test/reference.test.ts')

changed=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  grep -qE 'arr-reference|(^|[^-/.[:alnum:]_])reference §' "$f" || continue
  before=$(cksum < "$f")
  sed -E -i \
    -e 's#(\.\./)*(/?work/)?shared/reference/arr-reference\.md#docs/reference.md#g' \
    -e 's#arr-reference(\.md)? §#docs/reference.md §#g' \
    -e '/\(\/.*reference §.*\/[a-z]*\)/ s#(^|[^-/.[:alnum:]_\\])reference §#\1docs\\/reference.md §#g' \
    -e 's#(^|[^-/.[:alnum:]_])reference §#\1docs/reference.md §#g' \
    -e 's#§3\.2 row 3 \((SendTimeout|DOC-502 lists ResolveTimeout)#§3.2 timeouts (\1#' \
    "$f"
  if [ "$(cksum < "$f")" != "$before" ]; then
    echo "rewrote $f"
    changed=$((changed + 1))
  fi
done
echo "$changed file(s) changed"
